import { useAgentStore } from "../../stores/agent-store";

/**
 * Where the agent's history was compacted (issue 17), each collapsible: the model's summary, the plan and the files
 * that carried over verbatim. The steps it stands for stay in the conversation below, unchanged.
 */
export function CompactionList() {
  const compactions = useAgentStore((s) => s.compactions);
  if (compactions.length === 0) return null;
  return (
    <div className="compaction-list" data-testid="compactions">
      {compactions.map((c, i) => (
        <details key={c.id} className="compaction" data-testid="compaction">
          <summary>
            History compacted{compactions.length > 1 ? ` (${i + 1})` : ""}{" "}
            <span className="muted">
              {c.trigger === "manual" ? "by you" : `at ${Math.round((100 * c.promptTokensBefore) / c.contextSize)}% of ${c.contextSize.toLocaleString("en-US")} tokens`} ·{" "}
              {new Date(c.createdAt).toLocaleTimeString()}
            </span>
          </summary>
          <pre className="compaction-summary">{c.summary}</pre>
          {c.plan && (
            <>
              <h4>Plan (carried over)</h4>
              <pre>{c.plan}</pre>
            </>
          )}
          <h4>Files changed</h4>
          {c.changedFiles.length > 0 ? (
            <ul>
              {c.changedFiles.map((path) => (
                <li key={path}>
                  <code>{path}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">None yet.</p>
          )}
        </details>
      ))}
    </div>
  );
}
