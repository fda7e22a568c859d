import { useMemo, useState } from "react";
import { formatBudget, resumePoint } from "../../../../app/agent/compaction";
import { useAgentStore } from "../../stores/agent-store";
import { useChatStore } from "../../stores/chat-store";
import { AgentReloadOffer } from "./AgentReloadOffer";
import { ModeSelect } from "./ModeSelect";

const STOP_REASON: Record<string, string> = { max_steps: "Max steps reached", repeated_call: "Repeated call", aborted: "Stopped", error: "Failed", context_overflow: "Out of context" };

/** The agent conversation's composer: a follow-up continues the same loop; Stop aborts it (and the running tool). */
export function AgentComposer() {
  const running = useAgentStore((s) => s.running);
  const stopped = useAgentStore((s) => s.stopped);
  const settings = useAgentStore((s) => s.settings);
  const budget = useAgentStore((s) => s.budget);
  const compactions = useAgentStore((s) => s.compactions);
  const items = useChatStore((s) => s.items);
  // A run cut off by a quit, a crash or a stop can go on from its last completed step.
  const resumable = useMemo(
    () => resumePoint(items.map((i) => i.message), new Set(compactions.map((c) => c.summaryMessageId))).ok,
    [items, compactions],
  );
  const workspace = useChatStore((s) => s.conversation?.workspace);
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);

  const submit = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    const task = text.trim();
    if (!task || running || sending) return;
    setSending(true);
    if (await useAgentStore.getState().followUp(task)) setText("");
    setSending(false);
  };

  return (
    <form className="composer agent-composer" onSubmit={(e) => void submit(e)} data-testid="agent-composer">
      {stopped && (
        <p className="composer-banner" role="status" data-testid="agent-stopped">
          {STOP_REASON[stopped.reason] ?? stopped.reason}: {stopped.explanation} <AgentReloadOffer />
        </p>
      )}
      <div className="agent-workspace-line muted">
        Workspace <code data-testid="agent-workspace-path">{workspace}</code>
        {budget && (
          <span className="agent-budget" data-testid="agent-budget" title="The prompt of the latest step against the loaded context">
            {" · "}
            {formatBudget(budget)}
          </span>
        )}
      </div>
      <textarea
        rows={1}
        value={text}
        placeholder={running ? "The agent is working…" : "Follow up — Enter to continue the task"}
        aria-label="Follow-up for the agent"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) void submit(e);
        }}
        data-testid="agent-followup"
      />
      <div className="composer-bar">
        <ModeSelect value={settings.mode} onChange={(mode) => useAgentStore.getState().setSettings({ mode })} />
        {running && (
          <button type="button" onClick={() => void useAgentStore.getState().compactNow()} title="Summarise the history before the next step" data-testid="agent-compact">
            Compact now
          </button>
        )}
        {!running && resumable && (
          <button type="button" onClick={() => void useAgentStore.getState().resume()} title="Go on from the last completed step" data-testid="agent-resume">
            Resume
          </button>
        )}
        {running ? (
          <button type="button" className="stop-button" onClick={() => void useAgentStore.getState().stop()} data-testid="agent-stop">
            ■ Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={sending || text.trim() === ""} data-testid="agent-send">
            Continue
          </button>
        )}
      </div>
    </form>
  );
}
