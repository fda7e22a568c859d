import type { StoredMessage } from "../../app/chat/types";
import { buildM2Messages } from "../../app/chat/history";
import { COMPACTION_INSTRUCTION, compactedPath, lastCompletedStep, latestPlan } from "../../app/agent/compaction";
import { fitToolOutputs } from "../../app/agent/loop-guards";
import type { Compaction } from "../../app/contract/agent-api";
import type { ChatMessage, ToolDefinition } from "../../app/m2/types";
import type { CompactionStore } from "../agent/compactions";
import { GenerationRequestSchema } from "../../app/contract/generation";
import type { EngineSupervisor } from "../engine/supervisor";
import type { AnswerOptions, ChatService } from "./chat-service";
import type { ModelService } from "./model-service";

/** How the loop measures a prompt against the loaded context (the engine renders and counts it). */
export interface ContextMeter {
  /** The loaded model's context; null when none is loaded. */
  size(): number | null;
  count(request: { messages: ChatMessage[]; tools: ToolDefinition[] }): Promise<number>;
}

/** The prompt of the next step under `parent`: the branch, compacted by its latest compaction, old tool outputs fitted. */
export function stepPrompt(
  chat: ChatService,
  compactions: CompactionStore,
  conversationId: string,
  parent: string,
  toolOutputBudgetChars: number,
): { messages: ChatMessage[]; path: StoredMessage[]; compaction: Compaction | null } {
  const settings = chat.repo.getConversation(conversationId).settings;
  const path = chat.repo.listBranchPath(conversationId, parent);
  const compaction = compactions.latestOn(conversationId, path);
  return { messages: fitToolOutputs(buildM2Messages(compactedPath(path, compaction), settings), toolOutputBudgetChars), path, compaction };
}

/**
 * The least a compaction made now could leave: the prompt right after it, with the latest summary (none yet: empty)
 * standing in for the one the model would write. Null when there is no completed step to compact around.
 * When this alone passes the threshold, compacting cannot help: the kept step itself fills the context.
 */
export function compactedFloor(
  chat: ChatService,
  compactions: CompactionStore,
  conversationId: string,
  parent: string,
  toolOutputBudgetChars: number,
): ChatMessage[] | null {
  const settings = chat.repo.getConversation(conversationId).settings;
  const path = chat.repo.listBranchPath(conversationId, parent);
  const kept = lastCompletedStep(path);
  if (!kept) return null;
  const standIn: StoredMessage = { ...kept, id: `${kept.id}:floor`, toolCalls: [] };
  const view = {
    summaryMessageId: standIn.id,
    keptFromMessageId: kept.id,
    summary: compactions.latestOn(conversationId, path)?.summary ?? "",
    plan: latestPlan(path),
    changedFiles: compactions.changedFiles(conversationId),
  };
  return fitToolOutputs(buildM2Messages(compactedPath([...path, standIn], view), settings), toolOutputBudgetChars);
}

/** Generates one answer under `parent` with exactly `messages` as its prompt; an abort stops the generation. */
export async function settledAnswer(
  chat: ChatService,
  conversationId: string,
  parent: string,
  messages: ChatMessage[],
  options: AnswerOptions & { signal?: AbortSignal | undefined },
): Promise<StoredMessage> {
  const started = await chat.answer(conversationId, parent, { ...(options.tools ? { tools: options.tools } : {}), transform: () => messages });
  const onAbort = () => void chat.stop(conversationId);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return started.settled.finally(() => options.signal?.removeEventListener("abort", onAbort));
}

export type CompactionResult = { ok: true; compaction: Compaction } | { ok: false; reason: "nothing_to_compact" | "failed"; message: string };

/**
 * The dedicated summary turn: the model sees the step's prompt plus the instruction, and its answer
 * (stored under `parent`, so the next step follows it) becomes the summary. The plan and the changed files are
 * taken as they are, never from the model's words. Runs only between steps: the path must end on a completed one.
 * The step's tools stay in the prompt (the instruction says not to call them; a call made anyway is never run) so
 * the prompt keeps the steps' prefix: the KV cache serves the summary turn and the step after it.
 */
export async function compactHistory(
  input: {
    chat: ChatService;
    compactions: CompactionStore;
    conversationId: string;
    parent: string;
    toolOutputBudgetChars: number;
    trigger: Compaction["trigger"];
    tools: ToolDefinition[];
    promptTokensBefore: number;
    contextSize: number;
    signal?: AbortSignal | undefined;
  },
): Promise<CompactionResult> {
  const { chat, compactions, conversationId, parent } = input;
  const { messages, path } = stepPrompt(chat, compactions, conversationId, parent, input.toolOutputBudgetChars);
  const kept = lastCompletedStep(path);
  if (!kept) return { ok: false, reason: "nothing_to_compact", message: "There is no completed step to compact around yet." };
  const answer = await settledAnswer(chat, conversationId, parent, [...messages, { role: "user", content: COMPACTION_INSTRUCTION }], {
    tools: input.tools,
    signal: input.signal,
  });
  const summary = (answer.content.trim() || answer.reasoning.trim()).slice(0, 100_000);
  if (answer.status !== "complete" || summary === "") {
    return { ok: false, reason: "failed", message: `The summary turn failed (${answer.status}): ${answer.error ?? "the model wrote no summary"}.` };
  }
  const compaction = compactions.add({
    conversationId,
    summaryMessageId: answer.id,
    keptFromMessageId: kept.id,
    summary,
    plan: latestPlan(path),
    changedFiles: compactions.changedFiles(conversationId),
    promptTokensBefore: input.promptTokensBefore,
    contextSize: input.contextSize,
    trigger: input.trigger,
  });
  return { ok: true, compaction };
}

/** The meter the backend gives agent runs: the loaded context, and prompts rendered and counted by the engine. */
export function engineContextMeter(models: Pick<ModelService, "current">, engine: Pick<EngineSupervisor, "request">): ContextMeter {
  return {
    size: () => models.current()?.contextSize ?? null,
    count: async ({ messages, tools }) => {
      // As ChatService.answer sends it: the date is part of the prompt.
      const request = GenerationRequestSchema.parse({ messages, ...(tools.length > 0 && { tools }), currentDate: new Date().toISOString().slice(0, 10) });
      return (await engine.request({ op: "renderPrompt", request }, { timeoutMs: 30_000 })).tokens;
    },
  };
}
