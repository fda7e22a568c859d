import { create } from "zustand";
import { AppError } from "../../../app/contract";
import type { AttemptIsolation, AttemptsRun } from "../../../app/contract/attempts-api";
import type { PolicyMode } from "../../../app/agent/types";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { useAgentStore } from "./agent-store";
import { useChatStore } from "./chat-store";
import { toastError, useToastStore } from "./toast-store";

export interface StartAttemptsInput {
  workspace: string;
  task: string;
  attempts: number;
  mode: PolicyMode;
  maxSteps: number;
  /** Left out: the backend detects it (or uses the workspace's saved one). */
  testCommand?: string;
  isolation?: AttemptIsolation;
}

/** What a start that was refused tells the form: its message, and whether a copy would work where a worktree cannot. */
export type StartRefusal = { message: string; offerCopy: boolean };

interface AttemptsState {
  /** Every best-of-N run, newest first (the sidebar's list; the panel's run is one of them). */
  runs: AttemptsRun[];
  /** The run whose panel is on screen (in place of a conversation). */
  openRunId: string | null;
  /** An action in flight on the open run ("apply:1", "discard", "stop"), so its buttons wait. */
  busy: string | null;
  open(runId: string): void;
  close(): void;
  /** Resolves to the refusal instead of toasting it, so the form can offer "Use a copy instead". */
  startRun(input: StartAttemptsInput): Promise<StartRefusal | null>;
  stop(runId: string): Promise<void>;
  apply(runId: string, index: number): Promise<void>;
  discard(runId: string): Promise<void>;
  refresh(): Promise<void>;
  start(): () => void;
}

/** A dirty git tree cannot get worktrees at HEAD; the backend says so with this offer. */
export function offersCopy(error: unknown): boolean {
  const details = AppError.from(error).details as { reason?: unknown; offer?: unknown } | undefined;
  return details?.reason === "dirty_tree" && details.offer === "copy";
}

/** Best-of-N runs (issue 17 part 2): the list, the open run's live state from attempts.updated, and its actions. */
export const useAttemptsStore = create<AttemptsState>((set, get) => {
  const upsert = (run: AttemptsRun) =>
    set((s) => {
      const others = s.runs.filter((r) => r.id !== run.id);
      return { runs: [run, ...others].sort((a, b) => b.createdAt - a.createdAt) };
    });

  const act = async (label: string, what: string, work: () => Promise<void>) => {
    set({ busy: label });
    try {
      await work();
    } catch (error) {
      toastError(`Could not ${what}: ${errorMessage(error)}`);
    } finally {
      set({ busy: null });
    }
  };

  const fetchRun = async (runId: string) => upsert(await client().call("attempts.get", { runId }));

  return {
    runs: [],
    openRunId: null,
    busy: null,

    open(runId) {
      useAgentStore.getState().closeNewTask();
      void useChatStore.getState().open(null);
      set({ openRunId: runId });
      void fetchRun(runId).catch((error: unknown) => toastError(`Could not load the attempts: ${errorMessage(error)}`));
    },
    close: () => set({ openRunId: null }),

    async startRun({ workspace, task, attempts, mode, maxSteps, testCommand, isolation }) {
      try {
        // The mode is the workspace's, as for a single run.
        await client().call("agent.updateWorkspaceSettings", { workspace, patch: { mode } });
        const { runId } = await client().call("attempts.start", {
          workspace, task, attempts, mode, maxSteps,
          ...(testCommand?.trim() ? { testCommand: testCommand.trim() } : {}),
          ...(isolation ? { isolation } : {}),
        });
        get().open(runId);
        return null;
      } catch (error) {
        return { message: errorMessage(error), offerCopy: offersCopy(error) };
      }
    },

    stop: (runId) => act("stop", "stop the attempts", async () => void (await client().call("attempts.stop", { runId }))),

    apply: (runId, index) =>
      act(`apply:${index}`, `apply attempt ${index + 1}`, async () => {
        const result = await client().call("attempts.apply", { runId, index });
        await fetchRun(runId);
        const files = result.changedFiles.length;
        useToastStore.getState().show(
          {
            kind: "info",
            text: `Applied attempt ${index + 1} (${files} file${files === 1 ? "" : "s"}). Revert it from Changed files.`,
            action: { label: "Open changes", run: () => void useChatStore.getState().open(result.conversationId) },
          },
          10_000,
        );
      }),

    discard: (runId) => act("discard", "discard the attempts", async () => void (await client().call("attempts.discard", { runId }), await fetchRun(runId))),

    async refresh() {
      try {
        const { runs } = await client().call("attempts.list", {});
        set({ runs });
      } catch (error) {
        toastError(`Could not load the attempts runs: ${errorMessage(error)}`);
      }
    },

    start() {
      void get().refresh();
      const off = client().onEvent((event) => {
        if (event.type === "attempts.updated") upsert(event.run);
      });
      // Opening a conversation or the new-task form takes the panel's place.
      const offChat = useChatStore.subscribe((s, prev) => {
        if (s.conversationId !== null && s.conversationId !== prev.conversationId) get().close();
      });
      const offAgent = useAgentStore.subscribe((s, prev) => {
        if (s.newTaskOpen && !prev.newTaskOpen) get().close();
      });
      const offConnection = client().onConnection((state) => {
        if (state === "open") void get().refresh();
      });
      return () => {
        off();
        offChat();
        offAgent();
        offConnection();
      };
    },
  };
});
