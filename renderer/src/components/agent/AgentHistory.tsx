import { useAgentStore } from "../../stores/agent-store";
import { useChatStore } from "../../stores/chat-store";
import { useUiStore } from "../../stores/ui-store";
import { ConversationItem } from "../sidebar/ConversationItem";

/** The agent conversations in the sidebar, above the chats (chat.list lists chats only). */
export function AgentHistory() {
  const groups = useAgentStore((s) => s.history);
  const activeId = useChatStore((s) => s.conversationId);
  const view = useUiStore((s) => s.view);
  const conversations = groups.flatMap((g) => g.conversations);
  if (conversations.length === 0) return null;
  return (
    <section aria-labelledby="group-agent-tasks" data-testid="agent-history">
      <h2 id="group-agent-tasks" className="group-label">
        Agent tasks
      </h2>
      <ul>
        {conversations.map((c) => (
          <ConversationItem key={c.id} conversation={c} active={view === "chat" && c.id === activeId} />
        ))}
      </ul>
    </section>
  );
}
