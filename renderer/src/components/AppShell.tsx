import { useEffect } from "react";
import { useShortcuts } from "../hooks/useShortcuts";
import { useAgentStore } from "../stores/agent-store";
import { useAttemptsStore } from "../stores/attempts-store";
import { useBackendStore } from "../stores/backend-store";
import { conversationFromHash, useChatStore } from "../stores/chat-store";
import { useConversationsStore } from "../stores/conversations-store";
import { useModelsStore } from "../stores/models-store";
import { useDownloadsStore } from "../stores/downloads-store";
import { useLibraryStore } from "../stores/library-store";
import { useStreamStore } from "../stores/stream-store";
import { useThemeStore } from "../stores/theme-store";
import { useUiStore } from "../stores/ui-store";
import { ChatView } from "./chat/ChatView";
import { HealthPanel } from "./HealthPanel";
import { ModelsPage } from "./models/ModelsPage";
import { ServerPage } from "./server/ServerPage";
import { SearchDialog } from "./search/SearchDialog";
import { Sidebar } from "./sidebar/Sidebar";
import { StatusBar } from "./StatusBar";
import { Toasts } from "./Toasts";

/** Each store subscribes to the contract events it needs. */
function useStores() {
  useEffect(() => {
    const stops = [
      useBackendStore.getState().start(),
      useStreamStore.getState().start(),
      useChatStore.getState().start(),
      useConversationsStore.getState().start(),
      useModelsStore.getState().start(),
      useDownloadsStore.getState().start(),
      useLibraryStore.getState().start(),
      useAgentStore.getState().start(),
      useAttemptsStore.getState().start(),
    ];
    const fromHash = conversationFromHash(window.location.hash);
    if (fromHash) void useChatStore.getState().open(fromHash);
    return () => stops.forEach((stop) => stop());
  }, []);
}

export function AppShell() {
  const theme = useThemeStore((s) => s.theme);
  const view = useUiStore((s) => s.view);
  const searchOpen = useUiStore((s) => s.searchOpen);
  useStores();
  useShortcuts();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <div className="shell">
      <Sidebar />
      <main className="main-pane">
        {view === "system" ? <div className="system-view"><HealthPanel /></div> : view === "models" ? <ModelsPage /> : view === "server" ? <ServerPage /> : <ChatView />}
      </main>
      <StatusBar />
      {searchOpen && <SearchDialog />}
      <Toasts />
    </div>
  );
}
