import { randomUUID } from "node:crypto";
import type { StoredMessage } from "../../app/chat/types";
import { RepeatDetector } from "../../app/agent/loop-guards";
import { compactionDue } from "../../app/agent/compaction";
import type { Decision, PolicySettings } from "../../app/agent/policy";
import { toolDefinition } from "../../app/agent/tool-definitions";
import { AppError } from "../../app/contract";
import { DEFAULT_COMPACT_AT, type AgentBudget, type AgentStopReason, type Compaction, type ToolRunRow } from "../../app/contract/agent-api";
import { ContextOverflowDetailsSchema, type ContextOverflowDetails } from "../../app/contract/context-overflow";
import type { CompactionStore } from "../agent/compactions";
import { runToolCall, type ApprovalAnswer, type PreparedCall, type ToolRun } from "../agent/tools/registry";
import { TOOL_DEFINITIONS } from "../agent/tools/schemas";
import type { ToolContext } from "../agent/tools/context";
import type { ChatService } from "./chat-service";
import { flaggedCallRun } from "./flagged-call";
import { compactedFloor, compactHistory, settledAnswer, stepPrompt, type ContextMeter } from "./agent-compaction";

/** Parallel-safe tools (their definitions say which) may run side by side; any other call, MCP ones too, runs alone, in order. */
function parallelSafe(name: string): boolean {
  return toolDefinition(name)?.parallelSafe ?? false;
}

export type { AgentStopReason };

export interface AgentOutcome {
  reason: AgentStopReason;
  explanation: string;
  steps: number;
  lastMessageId: string | null;
  /** With context_overflow: the sizes and the context to reload with, as the engine's refusal gave them. */
  overflow?: ContextOverflowDetails;
}

export interface ApprovalRequest {
  approvalId: string;
  conversationId: string;
  callId: string;
  /** The call's arguments as the model gave them (an "always allow" of a command needs the command itself). */
  arguments: Record<string, unknown>;
  decision: Decision;
}

export interface AgentLoopOptions {
  chat: ChatService;
  tools: ToolContext;
  policy: PolicySettings;
  /** Asked for every call the policy says "ask" for; resolves true to run it. */
  approve: (request: ApprovalRequest) => Promise<ApprovalAnswer>;
  maxSteps?: number;
  /** Identical calls in a row that stop the loop (default 3; 0 turns the check off). */
  repeatLimit?: number;
  /** Characters of tool output the prompt may carry; older outputs beyond it are cut with a marker. */
  toolOutputBudgetChars?: number;
  signal?: AbortSignal;
  onToolRun?: (event: { conversationId: string; run: ToolRunRow }) => void;
  /** Where compactions are stored and found (the history each step's prompt is built from). */
  compactions: CompactionStore;
  /** Measures the next prompt; without it the loop never compacts on its own. */
  context?: ContextMeter;
  /** Share of the context the next prompt may fill before the history is compacted; null: never (default 0.8). */
  compactAt?: number | null;
  /** True once when the user asked to compact now ("Compact now"): the loop compacts before its next step. */
  takeCompactRequest?: () => boolean;
  onBudget?: (budget: AgentBudget) => void;
  onCompacted?: (compaction: Compaction) => void;
  onNotice?: (message: string) => void;
}

/**
 * M2's agent loop: generate (with tools), run the tool calls through policy and approval,
 * append their results, and go on until the model answers without calling a tool.
 * Every step is stored as it happens, so a crash loses at most the step in flight.
 */
export async function runAgentLoop(options: AgentLoopOptions, conversationId: string, parentId: string): Promise<AgentOutcome> {
  const { chat } = options;
  const maxSteps = options.maxSteps ?? 100;
  const repeats = new RepeatDetector(options.repeatLimit === 0 ? Number.POSITIVE_INFINITY : (options.repeatLimit ?? 3));
  const budget = options.toolOutputBudgetChars ?? 200_000;
  let parent = parentId;
  let lastMessageId: string | null = null;
  /** The last step's answer: its prompt bounds the next one's without rendering it. */
  let previous: StoredMessage | null = null;
  const tools = [...TOOL_DEFINITIONS, ...(options.tools.mcp?.definitions() ?? [])];
  const guard: CompactionGuard = { futile: false };

  for (let step = 1; step <= maxSteps; step++) {
    if (options.signal?.aborted) return { reason: "aborted", explanation: "Stopped by the user.", steps: step - 1, lastMessageId };
    let prompt = stepPrompt(chat, options.compactions, conversationId, parent, budget);
    // Between steps only: the step in flight, and its reasoning, are never rewritten.
    const compacted = await maybeCompact(options, conversationId, parent, prompt.messages, tools, budget, promptBound(previous, prompt.path), guard);
    if (compacted) {
      parent = compacted.summaryMessageId;
      lastMessageId = parent;
      prompt = stepPrompt(chat, options.compactions, conversationId, parent, budget);
    }
    if (options.signal?.aborted) return { reason: "aborted", explanation: "Stopped by the user.", steps: step - 1, lastMessageId };
    const answer = await settledAnswer(chat, conversationId, parent, prompt.messages, { tools, signal: options.signal });
    lastMessageId = answer.id;
    previous = answer;
    if (answer.stats) {
      const { promptTokens, evaluatedTokens, generatedTokens } = answer.stats;
      options.onBudget?.({ step, promptTokens, evaluatedTokens, generatedTokens, contextSize: options.context?.size() ?? null, compacted: prompt.compaction !== null });
    }

    if (answer.status === "stopped") return { reason: "aborted", explanation: "Stopped by the user.", steps: step, lastMessageId };
    if (answer.status === "error" && answer.failure?.code === "context_overflow") return overflowOutcome(answer, step, guard);
    if (answer.status !== "complete") {
      return { reason: "error", explanation: `The model's answer failed (${answer.status}): ${answer.error ?? "no details"}.`, steps: step, lastMessageId };
    }
    if (answer.toolCalls.length === 0) return { reason: "answered", explanation: "The model answered.", steps: step, lastMessageId };

    for (const call of answer.toolCalls) {
      if (repeats.record(call.name, call.arguments)) {
        return {
          reason: "repeated_call",
          explanation: `Stopped: the model made the same call ${options.repeatLimit ?? 3} times in a row (${call.name} ${JSON.stringify(call.arguments)}).`,
          steps: step,
          lastMessageId,
        };
      }
    }
    parent = await runStepTools(options, conversationId, answer, tools.map((tool) => tool.function.name));
    lastMessageId = parent;
  }
  return { reason: "max_steps", explanation: `Stopped after ${maxSteps} steps (the max-steps setting).`, steps: maxSteps, lastMessageId };
}

/**
 * An upper bound on the next prompt's tokens from the last step's: its prompt, then every byte of its turn and of the
 * results since (a token is at least one byte), or null when there is none to go by. Below the
 * threshold it spares the engine rendering the prompt to count it.
 */
function promptBound(previous: StoredMessage | null, path: readonly StoredMessage[]): number | null {
  if (!previous?.stats) return null;
  const at = path.findIndex((m) => m.id === previous.id);
  if (at < 0) return null;
  // The step's own turn as the template renders it back (a tool call as XML), not as it was sampled.
  const bytes = (m: StoredMessage) =>
    Buffer.byteLength(m.content) + Buffer.byteLength(m.reasoning) + Buffer.byteLength(JSON.stringify(m.toolCalls)) + 64 +
    m.toolCalls.reduce((n, c) => n + 64 + 32 * Object.keys(c.arguments).length, 0);
  return previous.stats.promptTokens + path.slice(at).reduce((n, m) => n + bytes(m), 64);
}

/** Compacts when the user asked to, or when the next prompt would pass the threshold; a failed summary turn is a notice, not the run's end. */
async function maybeCompact(
  options: AgentLoopOptions,
  conversationId: string,
  parent: string,
  messages: Parameters<ContextMeter["count"]>[0]["messages"],
  tools: Parameters<ContextMeter["count"]>[0]["tools"],
  budget: number,
  bound: number | null,
  guard: CompactionGuard,
): Promise<Compaction | null> {
  const manual = options.takeCompactRequest?.() ?? false;
  const compactAt = options.compactAt === undefined ? DEFAULT_COMPACT_AT : options.compactAt;
  const contextSize = options.context?.size() ?? null;
  if (!options.context || contextSize === null || (!manual && compactAt === null)) return null;
  if (!manual && bound !== null && !compactionDue(bound, contextSize, compactAt!)) return null;
  const promptTokens = await options.context.count({ messages, tools });
  if (!manual && !compactionDue(promptTokens, contextSize, compactAt!)) return null;
  if (!manual && (await compactionFutile(options, conversationId, parent, tools, budget, contextSize, compactAt!))) {
    if (!guard.futile) {
      const share = Math.round((100 * promptTokens) / contextSize);
      options.onNotice?.(`The last step alone nearly fills the context (${share}% of ${contextSize.toLocaleString("en-US")} tokens): compacting cannot make room, so the run goes on without it.`);
    }
    guard.futile = true;
    return null;
  }
  guard.futile = false;
  const result = await compactHistory({
    chat: options.chat, compactions: options.compactions, conversationId, parent, toolOutputBudgetChars: budget,
    trigger: manual ? "manual" : "threshold", tools, promptTokensBefore: promptTokens, contextSize, signal: options.signal,
  });
  if (!result.ok) {
    if (result.reason === "failed" || manual) options.onNotice?.(`Could not compact the history: ${result.message}`);
    return null;
  }
  options.onCompacted?.(result.compaction);
  return result.compaction;
}

/** Whether compaction has been found unable to help; the notice is given once per such stretch, not at every step. */
interface CompactionGuard {
  futile: boolean;
}

/**
 * True when a compaction now would still leave the prompt over the threshold (see compactedFloor): it would buy
 * nothing, and the next step would compact again, and the next.
 */
async function compactionFutile(
  options: AgentLoopOptions,
  conversationId: string,
  parent: string,
  tools: Parameters<ContextMeter["count"]>[0]["tools"],
  budget: number,
  contextSize: number,
  compactAt: number,
): Promise<boolean> {
  const floor = compactedFloor(options.chat, options.compactions, conversationId, parent, budget);
  if (!floor || !options.context) return false;
  return compactionDue(await options.context.count({ messages: floor, tools }), contextSize, compactAt);
}

/** The run's end when the next prompt does not fit at all: the engine's own figures and reload offer, typed. */
function overflowOutcome(answer: StoredMessage, step: number, guard: CompactionGuard): AgentOutcome {
  const details = ContextOverflowDetailsSchema.safeParse(answer.failure?.details);
  const why = guard.futile ? "One step alone no longer fits the context, and compacting cannot make room" : "The next step does not fit the context";
  return {
    reason: "context_overflow",
    explanation: `${why}: ${answer.error ?? "context overflow"}.`,
    steps: step,
    lastMessageId: answer.id,
    ...(details.success ? { overflow: details.data } : {}),
  };
}

/**
 * Runs one step's calls (a run of parallel-safe calls concurrently, others alone) and stores each result in call order.
 * A call the parser flagged is never run: its error is its result.
 */
async function runStepTools(options: AgentLoopOptions, conversationId: string, answer: StoredMessage, toolNames: readonly string[]): Promise<string> {
  const calls = answer.toolCalls;
  const results = new Array<{ run: ToolRun; ms: number }>(calls.length);
  let i = 0;
  while (i < calls.length) {
    const batch: number[] = [];
    if (parallelSafe(calls[i]!.name)) {
      while (i < calls.length && parallelSafe(calls[i]!.name)) batch.push(i++);
    } else {
      batch.push(i++);
    }
    await Promise.all(
      batch.map(async (index) => {
        const call = calls[index]!;
        const startedAt = Date.now();
        // The time the call waited on the user is not the tool's: its duration counts the run alone.
        let waitedMs = 0;
        const ask = async (decision: Decision, prepared: PreparedCall) => {
          const askedAt = Date.now();
          try {
            return await options.approve({ approvalId: randomUUID(), conversationId, callId: prepared.id, arguments: call.arguments, decision });
          } finally {
            waitedMs += Date.now() - askedAt;
          }
        };
        const run = call.error
          ? flaggedCallRun(call, call.error, toolNames)
          : await runToolCall(options.tools, { id: call.id, name: call.name, arguments: call.arguments }, options.policy, ask);
        results[index] = { run, ms: Date.now() - startedAt - waitedMs };
      }),
    );
  }

  let parent = answer.id;
  for (const [index, call] of calls.entries()) {
    const { run, ms } = results[index]!;
    const toolMessage = options.chat.repo.appendMessage(conversationId, {
      parentId: parent,
      role: "tool",
      content: run.result.content,
      toolCallId: call.id,
      ...(call.name !== "" && { toolName: call.name }),
      ...(run.result.ok ? {} : { error: run.result.error.message }),
    });
    const row = toolRunRow(toolMessage.id, call, run, ms);
    recordToolRun(options, conversationId, answer.id, call, row, run);
    options.onToolRun?.({ conversationId, run: row });
    parent = toolMessage.id;
  }
  return parent;
}

/** The stored and published view of one tool call. */
export function toolRunRow(toolMessageId: string, call: StoredMessage["toolCalls"][number], run: ToolRun, ms: number): ToolRunRow {
  return {
    toolMessageId,
    callId: call.id,
    tool: call.name,
    decision: run.decision?.kind ?? null,
    decidedBy: run.decision?.kind === "ask" ? "user" : run.decision ? "policy" : "none",
    approved: run.approved,
    action: run.decision?.action ?? null,
    ok: run.result.ok,
    checkpointId: run.result.ok ? (run.result.checkpointId ?? null) : null,
    durationMs: ms,
  };
}

function recordToolRun(options: AgentLoopOptions, conversationId: string, assistantMessageId: string, call: StoredMessage["toolCalls"][number], row: ToolRunRow, run: ToolRun): void {
  const endedAt = Date.now();
  try {
    options.chat.repo.ctx.db
      .prepare(
        `INSERT INTO tool_runs (id, conversation_id, assistant_message_id, tool_message_id, call_id, tool, arguments, decision,
           decided_by, approved, action, location, ok, checkpoint_id, started_at, ended_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        randomUUID(), conversationId, assistantMessageId, row.toolMessageId, row.callId, row.tool, JSON.stringify(call.arguments),
        row.decision, row.decidedBy, row.approved ? 1 : 0, row.action, run.decision?.where ?? null, row.ok ? 1 : 0,
        row.checkpointId, endedAt - (row.durationMs ?? 0), endedAt,
      );
  } catch (error) {
    throw new AppError("storage", `Could not record the ${call.name} call: ${AppError.from(error).message}`, { conversationId });
  }
}
