import { useRef } from "react";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { useAgentStore } from "../../stores/agent-store";
import { useAttemptsStore } from "../../stores/attempts-store";
import { useChatStore } from "../../stores/chat-store";
import { useComposerStore } from "../../stores/composer-store";
import { useConversationsStore } from "../../stores/conversations-store";
import { useThemeStore } from "../../stores/theme-store";
import { toastError, useToastStore } from "../../stores/toast-store";
import { useUiStore } from "../../stores/ui-store";
import { AgentHistory } from "../agent/AgentHistory";
import { AttemptsHistory } from "../agent/AttemptsHistory";
import { ConversationItem } from "./ConversationItem";

export function newChat(): void {
  useUiStore.getState().setView("chat");
  useAgentStore.getState().closeNewTask();
  useAttemptsStore.getState().close();
  void useChatStore.getState().open(null);
  useComposerStore.getState().focus();
}

async function importFile(file: File) {
  try {
    const conversation = await client().call("chat.import", { json: await file.text() });
    await useConversationsStore.getState().refresh();
    useUiStore.getState().setView("chat");
    await useChatStore.getState().open(conversation.id);
    useToastStore.getState().show({ kind: "info", text: `Imported “${conversation.title}”` });
  } catch (error) {
    toastError(`Import failed: ${errorMessage(error)}`);
  }
}

/** History grouped by day, new chat, search, import, and the app's own links. */
export function Sidebar() {
  const groups = useConversationsStore((s) => s.groups);
  const loaded = useConversationsStore((s) => s.loaded);
  const agentTasks = useAgentStore((s) => s.history.length);
  const activeId = useChatStore((s) => s.conversationId);
  const view = useUiStore((s) => s.view);
  const theme = useThemeStore((s) => s.theme);
  const toggleTheme = useThemeStore((s) => s.toggle);
  const fileInput = useRef<HTMLInputElement>(null);

  const sidebarOpen = useUiStore((s) => s.sidebarOpen);
  return (
    <nav className={`sidebar${sidebarOpen ? " open" : ""}`} aria-label="Conversations">
      <button
        type="button"
        className="sidebar-toggle icon-button"
        aria-expanded={sidebarOpen}
        aria-label={sidebarOpen ? "Close the sidebar" : "Open the sidebar"}
        onClick={() => useUiStore.getState().setSidebarOpen(!sidebarOpen)}
        data-testid="sidebar-toggle"
      >
        {sidebarOpen ? "✕" : "☰"}
      </button>
      <div className="brand">M2 Desktop</div>
      <div className="sidebar-actions">
        <button type="button" className="primary" onClick={newChat} title="New chat (Ctrl+N)" data-testid="new-chat">
          + New chat
        </button>
        <button type="button" onClick={() => (useUiStore.getState().setView("chat"), useAgentStore.getState().openNewTask())} data-testid="new-agent-task">
          + Agent task
        </button>
        <button type="button" onClick={() => useUiStore.getState().setSearchOpen(true)} title="Search (Ctrl+K)" data-testid="open-search">
          Search <kbd>Ctrl K</kbd>
        </button>
      </div>
      <div className="history" data-testid="history">
        <AttemptsHistory />
        <AgentHistory />
        {loaded && groups.length === 0 && agentTasks === 0 && <p className="muted">No conversations yet.</p>}
        {groups.map((group) => (
          <section key={group.id} aria-labelledby={`group-${group.id}`}>
            <h2 id={`group-${group.id}`} className="group-label">
              {group.label}
            </h2>
            <ul>
              {group.conversations.map((c) => (
                <ConversationItem key={c.id} conversation={c} active={view === "chat" && c.id === activeId} />
              ))}
            </ul>
          </section>
        ))}
      </div>
      <div className="sidebar-footer">
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void importFile(file);
          }}
        />
        <button type="button" onClick={() => fileInput.current?.click()} data-testid="import">
          Import JSON…
        </button>
        <a href="#models" aria-current={view === "models" ? "page" : undefined} onClick={(e) => (e.preventDefault(), useUiStore.getState().setView(view === "models" ? "chat" : "models"))} data-testid="nav-models">
          Models
        </a>
        <a href="#server" aria-current={view === "server" ? "page" : undefined} onClick={(e) => (e.preventDefault(), useUiStore.getState().setView(view === "server" ? "chat" : "server"))} data-testid="nav-server">
          Server
        </a>
        <a href="#system" aria-current={view === "system" ? "page" : undefined} onClick={(e) => (e.preventDefault(), useUiStore.getState().setView(view === "system" ? "chat" : "system"))}>
          System
        </a>
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}>
          {theme === "dark" ? "☀ Light" : "☾ Dark"}
        </button>
      </div>
    </nav>
  );
}
