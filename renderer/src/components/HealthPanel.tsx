import { useBackendStore } from "../stores/backend-store";
import { engineLabel } from "./engine-label";

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Proves the whole path: renderer → contract client → backend → engine process. */
export function HealthPanel() {
  const health = useBackendStore((s) => s.health);
  const engine = useBackendStore((s) => s.engine);
  const error = useBackendStore((s) => s.error);
  const refresh = useBackendStore((s) => s.refresh);
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">System</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {health ? (
        <dl className="facts" data-testid="health">
          <dt>Backend</dt>
          <dd data-testid="backend-health">healthy · v{health.version} · up {formatUptime(health.uptimeMs)}</dd>
          <dt>Engine process</dt>
          <dd data-testid="engine-detail">{engineLabel(engine)}</dd>
          <dt>Data folder</dt>
          <dd><code>{health.dataDir}</code></dd>
          <dt>Database</dt>
          <dd>schema v{health.database.schemaVersion}</dd>
        </dl>
      ) : (
        <p>Connecting to the backend…</p>
      )}
      <button type="button" onClick={() => void refresh()}>Refresh</button>
    </section>
  );
}
