import { useState } from "react";
import { client } from "../client/client-instance";
import { copyText } from "../lib/clipboard";
import { errorMessage } from "../lib/errors";
import { useBackendStore } from "../stores/backend-store";
import { toastError, useToastStore } from "../stores/toast-store";
import { engineLabel } from "./engine-label";

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The backend's diagnostics report, onto the clipboard for a bug report. */
async function copyDiagnostics(): Promise<void> {
  try {
    const { text } = await client().call("system.diagnostics", {});
    if (await copyText(text)) useToastStore.getState().show({ text: "Diagnostics copied", kind: "info" });
    else toastError("Could not copy the diagnostics: the clipboard refused them.");
  } catch (error) {
    toastError(`Could not build the diagnostics: ${errorMessage(error)}`);
  }
}

/** Proves the whole path: renderer → contract client → backend → engine process. */
export function HealthPanel() {
  const health = useBackendStore((s) => s.health);
  const engine = useBackendStore((s) => s.engine);
  const error = useBackendStore((s) => s.error);
  const refresh = useBackendStore((s) => s.refresh);
  const [copying, setCopying] = useState(false);
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
      <button type="button" onClick={() => void refresh()}>Refresh</button>{" "}
      <button
        type="button"
        disabled={copying}
        onClick={() => {
          setCopying(true);
          void copyDiagnostics().finally(() => setCopying(false));
        }}
      >
        {copying ? "Collecting…" : "Copy diagnostics"}
      </button>
    </section>
  );
}
