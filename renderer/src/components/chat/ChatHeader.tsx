import { client } from "../../client/client-instance";
import { downloadText } from "../../lib/download";
import { errorMessage } from "../../lib/errors";
import { useAgentStore } from "../../stores/agent-store";
import { useChatStore } from "../../stores/chat-store";
import { findConversation, useConversationsStore } from "../../stores/conversations-store";
import { toastError } from "../../stores/toast-store";
import { useUiStore } from "../../stores/ui-store";
import { ModelButton } from "../model/ModelButton";

async function exportConversation(conversationId: string, format: "markdown" | "json") {
  try {
    const file = await client().call("chat.export", { conversationId, format });
    downloadText(file.filename, file.mimeType, file.content);
  } catch (error) {
    toastError(`Export failed: ${errorMessage(error)}`);
  }
}

/** Title, model picker, export and the settings toggle. */
export function ChatHeader() {
  const conversationId = useChatStore((s) => s.conversationId);
  const fromList = useConversationsStore((s) => findConversation(s.groups, conversationId));
  const fromChat = useChatStore((s) => s.conversation);
  const settingsOpen = useUiStore((s) => s.settingsOpen);
  const toggleSettings = useUiStore((s) => s.toggleSettings);
  const newAgentTask = useAgentStore((s) => s.newTaskOpen) && conversationId === null;
  const title = fromList?.title ?? fromChat?.title ?? (newAgentTask ? "New agent task" : "New chat");

  return (
    <header className="chat-header">
      <h1 className="chat-title" data-testid="chat-title" title={title}>
        {title}
      </h1>
      <ModelButton />
      {conversationId && (
        <div className="export" role="group" aria-label="Export">
          <button type="button" onClick={() => void exportConversation(conversationId, "markdown")} data-testid="export-markdown">
            Export .md
          </button>
          <button type="button" onClick={() => void exportConversation(conversationId, "json")} data-testid="export-json">
            Export .json
          </button>
        </div>
      )}
      <button type="button" aria-pressed={settingsOpen} onClick={toggleSettings} data-testid="settings-toggle" title="Conversation settings">
        ⚙ Settings
      </button>
    </header>
  );
}
