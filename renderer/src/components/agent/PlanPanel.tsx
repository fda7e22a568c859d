import { useMemo } from "react";
import { useChatStore } from "../../stores/chat-store";
import { CompactionList } from "./CompactionList";
import { latestPlan } from "./plan";

const MARK = { pending: "○", in_progress: "◐", completed: "●" } as const;

/** The agent's latest plan (from its `todo` tool) and its history's compactions, pinned above the conversation. */
export function PlanPanel() {
  return (
    <>
      <LatestPlan />
      <CompactionList />
    </>
  );
}

function LatestPlan() {
  const items = useChatStore((s) => s.items);
  const plan = useMemo(() => latestPlan(items), [items]);
  if (!plan || plan.length === 0) return null;
  const done = plan.filter((p) => p.status === "completed").length;
  return (
    <details className="plan-panel" open data-testid="plan">
      <summary>
        Plan <span className="muted">({done}/{plan.length} done)</span>
      </summary>
      <ol>
        {plan.map((item, i) => (
          <li key={i} className={`plan-${item.status}`} data-status={item.status}>
            <span aria-hidden="true">{MARK[item.status]}</span> {item.content}
          </li>
        ))}
      </ol>
    </details>
  );
}
