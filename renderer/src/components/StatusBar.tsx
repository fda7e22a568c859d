import { useBackendStore } from "../stores/backend-store";
import { engineLabel } from "./engine-label";

export function StatusBar() {
  const connection = useBackendStore((s) => s.connection);
  const engine = useBackendStore((s) => s.engine);
  const restartsSeen = useBackendStore((s) => s.restartsSeen);
  return (
    <footer className="status-bar" role="status" aria-live="polite">
      <span data-testid="connection-status" className={`dot dot-${connection}`}>
        Backend: {connection === "open" ? "connected" : connection}
      </span>
      <span data-testid="engine-status">{engineLabel(engine)}</span>
      {restartsSeen > 0 && (
        <span data-testid="engine-restarted" className="notice">
          Engine restarted ({restartsSeen}×)
        </span>
      )}
    </footer>
  );
}
