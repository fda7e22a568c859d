import { create } from "zustand";
import type { PolicyMode } from "../../../app/agent/types";
import type { ConversationGroup } from "../../../app/chat/types";
import type { AgentBudget, ChangedFileNow, Compaction, FileChange, PendingApproval, ToolRunRow } from "../../../app/contract/agent-api";
import type { ContextOverflowDetails } from "../../../app/contract/context-overflow";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { useChatStore } from "./chat-store";
import { toastError, useToastStore } from "./toast-store";

export interface AgentRunSettings {
  mode: PolicyMode;
  maxSteps: number;
}

interface AgentState {
  /** The "New agent task" form is on screen (instead of a new chat). */
  newTaskOpen: boolean;
  /** The agent conversation whose state below is loaded. */
  conversationId: string | null;
  running: boolean;
  approvals: PendingApproval[];
  /** By tool call id. */
  runs: Record<string, ToolRunRow>;
  changes: FileChange[];
  /** Each changed file as it is now. */
  files: ChangedFileNow[];
  /** Why the last run stopped, when it was not an answer. */
  stopped: { reason: string; explanation: string; overflow?: ContextOverflowDetails } | null;
  /** The context used by the running loop's latest step. */
  budget: AgentBudget | null;
  /** Where the history was compacted, oldest first: shown as collapsible summaries in the conversation. */
  compactions: Compaction[];
  recentWorkspaces: string[];
  /** Agent conversations, for the sidebar. */
  history: ConversationGroup[];
  /** Used for follow-ups in the open conversation. */
  settings: AgentRunSettings;
  openNewTask(): void;
  closeNewTask(): void;
  setSettings(patch: Partial<AgentRunSettings>): void;
  loadRecentWorkspaces(): Promise<void>;
  startTask(options: { workspace: string; task: string } & AgentRunSettings): Promise<boolean>;
  followUp(task: string): Promise<boolean>;
  /** `always`: also allow the tool (or the commands) in this workspace from now on. */
  /** `reason`, with a decline: the model reads it in the tool result. */
  approve(approvalId: string, approved: boolean, always?: boolean, reason?: string): Promise<void>;
  stop(): Promise<void>;
  /** "Compact now": the running loop summarises its history before its next step. */
  compactNow(): Promise<void>;
  /** Picks up a run that a quit or a crash interrupted, from its last completed step. */
  resume(): Promise<void>;
  revert(checkpointId: string, path: string): Promise<void>;
  refresh(): Promise<void>;
  refreshHistory(): Promise<void>;
  start(): () => void;
}

const DEFAULT_SETTINGS: AgentRunSettings = { mode: "ask", maxSteps: 100 };

/** The agent side of the conversation on screen: its loop's state, tool runs, approvals and file changes. */
export const useAgentStore = create<AgentState>((set, get) => {
  const isOpen = (conversationId: string) => conversationId === get().conversationId;
  const reloadChat = () => void useChatStore.getState().reload();

  const refreshChanges = async (conversationId: string) => {
    try {
      const { changes, files } = await client().call("agent.changes", { conversationId });
      if (isOpen(conversationId)) set({ changes, files });
    } catch (error) {
      toastError(`Could not load the agent's changes: ${errorMessage(error)}`);
    }
  };

  const load = async (conversationId: string) => {
    try {
      const [state, { runs }, { compactions }] = await Promise.all([
        client().call("agent.state", { conversationId }),
        client().call("agent.toolRuns", { conversationId }),
        client().call("agent.compactions", { conversationId }),
      ]);
      if (!isOpen(conversationId)) return;
      set({ running: state.running, approvals: state.approvals, runs: Object.fromEntries(runs.map((r) => [r.callId, r])), compactions });
      await refreshChanges(conversationId);
    } catch (error) {
      if (isOpen(conversationId)) toastError(`Could not load the agent's state: ${errorMessage(error)}`);
    }
  };

  /** Follows the chat store: the agent state is the open conversation's, when it is an agent one. */
  const follow = (conversationId: string | null, kind: string | undefined) => {
    const id = kind === "agent" ? conversationId : null;
    if (id === get().conversationId) return;
    set({ conversationId: id, running: false, approvals: [], runs: {}, changes: [], files: [], stopped: null, budget: null, compactions: [] });
    if (id) void load(id);
  };

  return {
    newTaskOpen: false,
    conversationId: null,
    running: false,
    approvals: [],
    runs: {},
    changes: [],
    files: [],
    stopped: null,
    budget: null,
    compactions: [],
    recentWorkspaces: [],
    history: [],
    settings: DEFAULT_SETTINGS,

    openNewTask() {
      void useChatStore.getState().open(null);
      set({ newTaskOpen: true });
      void get().loadRecentWorkspaces();
    },
    closeNewTask: () => set({ newTaskOpen: false }),
    setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),

    async loadRecentWorkspaces() {
      try {
        set({ recentWorkspaces: (await client().call("agent.workspaces", {})).recent });
      } catch (error) {
        toastError(`Could not load recent workspaces: ${errorMessage(error)}`);
      }
    },

    async startTask({ workspace, task, mode, maxSteps }) {
      try {
        // The mode is the workspace's: chosen here, it stays for follow-ups and later tasks in this folder.
        await client().call("agent.updateWorkspaceSettings", { workspace, patch: { mode } });
        const { conversationId } = await client().call("agent.start", { workspace, task, maxSteps });
        set({ newTaskOpen: false, settings: { mode, maxSteps }, conversationId, running: true, approvals: [], runs: {}, changes: [], files: [], stopped: null });
        await useChatStore.getState().open(conversationId);
        void load(conversationId);
        return true;
      } catch (error) {
        toastError(`Could not start the agent: ${errorMessage(error)}`);
        return false;
      }
    },

    async followUp(task) {
      const conversationId = get().conversationId;
      const workspace = useChatStore.getState().conversation?.workspace;
      if (!conversationId || !workspace) return false;
      try {
        await client().call("agent.start", { workspace, task, conversationId, maxSteps: get().settings.maxSteps });
        set({ running: true, stopped: null });
        reloadChat();
        return true;
      } catch (error) {
        toastError(`Could not continue the agent: ${errorMessage(error)}`);
        return false;
      }
    },

    async approve(approvalId, approved, always = false, reason) {
      set((s) => ({ approvals: s.approvals.filter((a) => a.approvalId !== approvalId) }));
      try {
        await client().call("agent.approve", { approvalId, approved, always, ...(reason?.trim() ? { reason: reason.trim() } : {}) });
      } catch (error) {
        toastError(`Could not answer the approval: ${errorMessage(error)}`);
        const conversationId = get().conversationId;
        if (conversationId) void load(conversationId);
      }
    },

    async stop() {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        await client().call("agent.stop", { conversationId });
      } catch (error) {
        toastError(`Could not stop the agent: ${errorMessage(error)}`);
      }
    },

    async compactNow() {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        await client().call("agent.compact", { conversationId });
        useToastStore.getState().show({ kind: "info", text: "The history will be compacted before the next step." });
      } catch (error) {
        toastError(`Could not compact: ${errorMessage(error)}`);
      }
    },

    async resume() {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        await client().call("agent.resume", { conversationId, maxSteps: get().settings.maxSteps });
        set({ running: true, stopped: null });
        reloadChat();
      } catch (error) {
        toastError(`Could not resume the agent: ${errorMessage(error)}`);
      }
    },

    async revert(checkpointId, path) {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        await client().call("agent.revert", { conversationId, checkpointId });
        useToastStore.getState().show({ kind: "info", text: `Reverted ${path}` });
      } catch (error) {
        toastError(`Could not revert ${path}: ${errorMessage(error)}`);
      }
      await refreshChanges(conversationId);
    },

    async refresh() {
      const conversationId = get().conversationId;
      if (conversationId) await load(conversationId);
    },

    async refreshHistory() {
      try {
        set({ history: (await client().call("agent.conversations", {})).groups });
      } catch (error) {
        toastError(`Could not load the agent tasks: ${errorMessage(error)}`);
      }
    },

    start() {
      void get().refreshHistory();
      const chat = useChatStore.getState();
      follow(chat.conversationId, chat.conversation?.kind);
      const offChat = useChatStore.subscribe((s) => follow(s.conversationId, s.conversation?.kind));
      const off = client().onEvent((event) => {
        switch (event.type) {
          case "chat.conversations_changed":
            void get().refreshHistory();
            return;
          case "agent.notice":
            if (isOpen(event.conversationId)) useToastStore.getState().show({ kind: "error", text: event.message });
            return;
          case "agent.approval":
            if (!isOpen(event.conversationId)) return;
            set((s) => ({
              running: true,
              approvals: s.approvals.some((a) => a.approvalId === event.approvalId)
                ? s.approvals
                : [...s.approvals, { approvalId: event.approvalId, conversationId: event.conversationId, callId: event.callId ?? "", decision: event.decision }],
            }));
            reloadChat();
            return;
          case "agent.tool_run":
            if (!isOpen(event.conversationId)) return;
            set((s) => ({ runs: { ...s.runs, [event.run.callId]: event.run }, approvals: s.approvals.filter((a) => a.callId !== event.run.callId) }));
            if (event.run.checkpointId) void refreshChanges(event.conversationId);
            reloadChat();
            return;
          case "agent.budget":
            if (isOpen(event.conversationId)) set({ budget: event.budget });
            return;
          case "agent.compacted":
            if (!isOpen(event.conversationId)) return;
            set((s) => ({ compactions: [...s.compactions.filter((c) => c.id !== event.compaction.id), event.compaction] }));
            reloadChat();
            return;
          case "agent.done":
            if (!isOpen(event.conversationId)) return;
            set({ running: false, approvals: [], stopped: event.reason === "answered" ? null : { reason: event.reason, explanation: event.explanation, ...(event.overflow && { overflow: event.overflow }) } });
            reloadChat();
            void refreshChanges(event.conversationId);
            return;
        }
      });
      const offConnection = client().onConnection((state) => {
        if (state === "open") void Promise.all([get().refresh(), get().refreshHistory()]);
      });
      return () => {
        offChat();
        off();
        offConnection();
      };
    },
  };
});
