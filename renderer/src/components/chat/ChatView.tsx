import { useAgentStore } from "../../stores/agent-store";
import { useAttemptsStore } from "../../stores/attempts-store";
import { useChatStore } from "../../stores/chat-store";
import { useUiStore } from "../../stores/ui-store";
import { useEffect } from "react";
import { useDownloadsStore } from "../../stores/downloads-store";
import { useLibraryStore } from "../../stores/library-store";
import { formatSize, recommendedDownload } from "../models/labels";
import { useModelsStore } from "../../stores/models-store";
import { ModelPanel } from "../model/ModelPanel";
import { AgentComposer } from "../agent/AgentComposer";
import { AgentApprovals } from "../agent/ApprovalCard";
import { AttemptsPanel } from "../agent/AttemptsPanel";
import { ChangedFiles } from "../agent/ChangedFiles";
import { NewAgentTask } from "../agent/NewAgentTask";
import { PlanPanel } from "../agent/PlanPanel";
import { WorkspaceSettingsPanel } from "../agent/WorkspaceSettingsPanel";
import "../agent/agent.css";
import { ChatHeader } from "./ChatHeader";
import { ContextReloadOffer } from "./ContextReloadOffer";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { SettingsPanel } from "./SettingsPanel";

/** The first screen: one call to action (pick a model from the library, or get one), then how to start. */
function Welcome() {
  const loaded = useModelsStore((s) => s.loaded !== null);
  // The loaded model's name when the app knows it; else MiniMax's, which the app is for.
  const modelName = useModelsStore((s) => (s.loaded && s.loaded.report.family !== "unknown" ? s.loaded.report.familyName : "MiniMax"));
  const libraryEmpty = useLibraryStore((s) => s.loaded && s.models.length === 0);
  const catalog = useDownloadsStore((s) => s.catalog);
  const pick = recommendedDownload(catalog);
  useEffect(() => {
    if (libraryEmpty && useDownloadsStore.getState().catalog.length === 0) void useDownloadsStore.getState().loadCatalog();
  }, [libraryEmpty]);
  // Straight to the download; the Models page shows its progress (or why it could not start).
  const getRecommended = () => {
    useUiStore.getState().setView("models");
    if (pick) void useDownloadsStore.getState().download(pick.quant.ref);
  };
  return (
    <div className="welcome" data-testid="welcome">
      <h2>Chat with {modelName}, locally</h2>
      {loaded ? (
        <p className="muted">
          Type below to start. <kbd>Ctrl</kbd>+<kbd>K</kbd> searches your conversations, <kbd>Ctrl</kbd>+<kbd>N</kbd> starts a new one, <kbd>Esc</kbd> stops an answer.
        </p>
      ) : (
        <>
          {libraryEmpty ? (
            <div className="welcome-cta">
              <p>No model on this computer yet: the catalog picks the quant that fits this machine.</p>
              <button type="button" className="primary" onClick={getRecommended} data-testid="welcome-get-model" title={pick ? `${pick.entry.repo} ${pick.quant.quant}` : undefined}>
                Get the recommended model for this machine
              </button>
              {pick && (
                <p className="muted" data-testid="welcome-pick">
                  {pick.entry.repo} · {pick.quant.quant}
                  {pick.quant.totalBytes !== null ? ` · ${formatSize(pick.quant.totalBytes)}` : ""}
                </p>
              )}
              <p className="muted">Or open a GGUF you already have:</p>
            </div>
          ) : (
            <p className="muted">Pick a model to start.</p>
          )}
          <ModelPanel />
        </>
      )}
    </div>
  );
}

/** The chat screen: header, messages (or the welcome page), composer, and the settings side panel. */
export function ChatView() {
  const conversationId = useChatStore((s) => s.conversationId);
  const empty = useChatStore((s) => s.items.length === 0 && s.pendingUser === null);
  const loading = useChatStore((s) => s.loading);
  const loadError = useChatStore((s) => s.loadError);
  const settingsOpen = useUiStore((s) => s.settingsOpen);
  const agent = useChatStore((s) => s.conversation?.kind === "agent");
  const workspace = useChatStore((s) => s.conversation?.workspace);
  const newAgentTask = useAgentStore((s) => s.newTaskOpen) && conversationId === null;
  const attemptsRun = useAttemptsStore((s) => (conversationId === null && !newAgentTask ? s.openRunId : null));

  return (
    <div className={`chat-view${settingsOpen ? " with-settings" : ""}${agent ? " agent-view" : ""}`}>
      <section className="chat-main" aria-label="Chat">
        <ChatHeader />
        {loadError && (
          <p className="error banner" role="alert">
            {loadError}
          </p>
        )}
        {agent && <PlanPanel />}
        {newAgentTask ? (
          <NewAgentTask />
        ) : attemptsRun ? (
          <AttemptsPanel runId={attemptsRun} />
        ) : conversationId === null && empty ? (
          <Welcome />
        ) : loading && empty ? (
          <div className="message-pane loading" aria-busy="true" />
        ) : (
          <MessageList key={conversationId ?? "new"} />
        )}
        {!agent && <ContextReloadOffer />}
        {agent && <AgentApprovals />}
        {agent ? <AgentComposer /> : !newAgentTask && !attemptsRun && <Composer />}
      </section>
      {agent && <ChangedFiles />}
      {settingsOpen && <SettingsPanel>{agent && workspace && <WorkspaceSettingsPanel workspace={workspace} />}</SettingsPanel>}
    </div>
  );
}
