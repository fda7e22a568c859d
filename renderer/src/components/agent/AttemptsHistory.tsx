import { useAttemptsStore } from "../../stores/attempts-store";
import { useUiStore } from "../../stores/ui-store";
import { runStatusLabel } from "./attempts-view";
import "./attempts.css";

/** Best-of-N runs in the sidebar, so a run's panel can be reopened (after a reload, or from another conversation). */
export function AttemptsHistory() {
  const runs = useAttemptsStore((s) => s.runs);
  const openRunId = useAttemptsStore((s) => s.openRunId);
  const view = useUiStore((s) => s.view);
  if (runs.length === 0) return null;
  return (
    <section aria-labelledby="group-attempts" className="attempts-history" data-testid="attempts-history">
      <h2 id="group-attempts" className="group-label">
        Best-of-N runs
      </h2>
      <ul>
        {runs.map((run) => (
          <li key={run.id}>
            <button
              type="button"
              className={`attempts-run${view === "chat" && run.id === openRunId ? " active" : ""}`}
              title={`${run.task}\n${run.workspace}`}
              onClick={() => (useUiStore.getState().setView("chat"), useAttemptsStore.getState().open(run.id))}
              data-testid="attempts-run"
            >
              <span>{run.task.split("\n")[0]}</span>
              <span className="muted">
                {run.attempts.length} attempts · {runStatusLabel(run)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
