import type { StoredMessage } from "../../../app/chat/types";
import type { GenerationEvent, GenerationStats } from "../../../app/contract";
import type { FollowedAnswer } from "../../../app/contract/chat-api";

/**
 * An answer as it streams, in the order the model produced it: thinking, text and
 * tool calls. A tool loop inside one stream gives one thinking part per step.
 */
export type LivePart =
  | {
      kind: "reasoning";
      text: string;
      tokens: number;
      /** The tokens counted before this generation (a continued answer's): the engine counts from 0 again. */
      baseTokens?: number;
      startedAt: number;
      endedAt?: number;
    }
  | { kind: "content"; text: string }
  | {
      kind: "tool";
      index: number;
      name: string;
      /** Raw parameter text as it streams in. */
      args: Record<string, string>;
      status: "running" | "done" | "error";
      error?: string;
    };

export type FinishReason = Extract<GenerationEvent, { type: "done" }>["finish_reason"];

export interface LiveAnswer {
  generationId: string;
  parts: LivePart[];
  startedAt: number;
  firstTokenAt?: number;
  stats?: GenerationStats;
  /** Prompt evaluation so far, while a long prompt is processed (the engine's prompt_progress). */
  promptProgress?: { evaluated: number; total: number };
  finished?: { reason: FinishReason; error?: { code: string; message: string; details?: unknown } };
  parseErrors: string[];
}

/** The thinking of an answer being written, as the window that started it counts it (chat.follow). */
export type LiveThinking = NonNullable<FollowedAnswer["thinking"]>;

export function newLiveAnswer(generationId: string, now: number): LiveAnswer {
  return { generationId, parts: [], startedAt: now, parseErrors: [] };
}

/**
 * A live answer that starts from a message's text so far: a continued message (chat.continue) or one followed
 * mid-stream (chat.follow). The thinking is still live if no content followed it; the new tokens stream onto it.
 */
export function continuedLiveAnswer(generationId: string, message: StoredMessage, now: number, thinking?: LiveThinking | null): LiveAnswer {
  const parts: LivePart[] = [];
  const thinkingEnded = message.content !== "" || message.toolCalls.length > 0;
  if (message.reasoning) {
    const ms = thinking?.ms ?? message.stats?.reasoningMs ?? 0;
    const tokens = thinking?.tokens ?? message.stats?.reasoningTokens ?? 0;
    const baseTokens = thinking ? thinking.baseTokens : tokens;
    const ended = thinking?.ended ?? thinkingEnded;
    parts.push({ kind: "reasoning", text: message.reasoning, tokens, baseTokens, startedAt: now - ms, ...(ended ? { endedAt: now } : {}) });
  }
  if (thinkingEnded) parts.push({ kind: "content", text: message.content });
  message.toolCalls.forEach((call, index) => {
    const args = Object.fromEntries(Object.entries(call.arguments).map(([k, v]) => [k, stringify(v)]));
    parts.push({ kind: "tool", index, name: call.name, args, status: call.error ? "error" : "done", ...(call.error ? { error: call.error.message } : {}) });
  });
  return { ...newLiveAnswer(generationId, now), parts };
}

/** `seed`'s parts before `answer`'s (events that arrived before the seed), adjacent text of one kind joined. */
export function seededAnswer(seed: LiveAnswer, answer: LiveAnswer | undefined): LiveAnswer {
  if (!answer) return seed;
  const parts = seed.parts.slice();
  for (const part of answer.parts) {
    const last = parts.at(-1);
    if (last?.kind === "reasoning" && part.kind === "reasoning" && last.endedAt === undefined) {
      parts[parts.length - 1] = { ...last, text: last.text + part.text, tokens: last.tokens + part.tokens, ...(part.endedAt !== undefined ? { endedAt: part.endedAt } : {}) };
    } else if (last?.kind === "content" && part.kind === "content") {
      parts[parts.length - 1] = { ...last, text: last.text + part.text };
    } else {
      parts.push(part);
    }
  }
  return { ...answer, parts, startedAt: seed.startedAt };
}

function endReasoning(parts: LivePart[], now: number): void {
  const last = parts.at(-1);
  if (last?.kind === "reasoning" && last.endedAt === undefined) parts[parts.length - 1] = { ...last, endedAt: now };
}

/** Applies a batch of events (one animation frame's worth) as one new immutable answer. */
export function applyEvents(answer: LiveAnswer, events: readonly GenerationEvent[], now: number): LiveAnswer {
  if (events.length === 0) return answer;
  const parts = answer.parts.slice();
  const next: LiveAnswer = { ...answer, parts };
  for (const event of events) {
    const last = parts.at(-1);
    switch (event.type) {
      case "reasoning_delta":
        next.firstTokenAt ??= now;
        if (last?.kind === "reasoning" && last.endedAt === undefined) {
          const tokens = event.tokens !== undefined ? (last.baseTokens ?? 0) + event.tokens : last.tokens + 1;
          parts[parts.length - 1] = { ...last, text: last.text + event.text, tokens };
        } else {
          parts.push({ kind: "reasoning", text: event.text, tokens: event.tokens ?? 1, startedAt: now });
        }
        break;
      case "content_delta":
        next.firstTokenAt ??= now;
        endReasoning(parts, now);
        if (last?.kind === "content") parts[parts.length - 1] = { ...last, text: last.text + event.text };
        else parts.push({ kind: "content", text: event.text });
        break;
      case "tool_call_started":
        endReasoning(parts, now);
        parts.push({ kind: "tool", index: event.index, name: event.name, args: {}, status: "running" });
        break;
      case "tool_call_argument": {
        const i = parts.findLastIndex((p) => p.kind === "tool" && p.index === event.index);
        const part = parts[i];
        if (part?.kind !== "tool") break;
        const previous = part.args[event.parameter] ?? "";
        const value = event.complete && event.value !== undefined ? stringify(event.value) : previous + (event.value_delta ?? "");
        parts[i] = { ...part, args: { ...part.args, [event.parameter]: value } };
        break;
      }
      case "tool_call_completed": {
        const i = parts.findLastIndex((p) => p.kind === "tool" && p.index === event.index);
        const args = Object.fromEntries(Object.entries(event.arguments).map(([k, v]) => [k, stringify(v)]));
        const done: LivePart = {
          kind: "tool",
          index: event.index,
          name: event.name,
          args,
          status: event.error ? "error" : "done",
          ...(event.error ? { error: event.error.message } : {}),
        };
        if (i === -1) parts.push(done);
        else parts[i] = done;
        break;
      }
      case "parse_error":
        next.parseErrors = [...next.parseErrors, event.message];
        break;
      case "stats":
        next.stats = event.stats;
        break;
      case "prompt_progress":
        next.promptProgress = { evaluated: event.evaluated, total: event.total };
        break;
      case "done":
        endReasoning(parts, now);
        for (let i = 0; i < parts.length; i++) {
          const p = parts[i];
          if (p?.kind === "tool" && p.status === "running") parts[i] = { ...p, status: "error", error: "The call was cut off." };
        }
        next.finished = { reason: event.finish_reason, ...(event.error ? { error: event.error } : {}) };
        break;
    }
  }
  return next;
}

/** "Processing prompt 1,240 / 5,400" while a long prompt is evaluated: before the first token, until the answer ends. */
export function promptProgressLabel(answer: LiveAnswer | undefined): string | null {
  const progress = answer?.promptProgress;
  if (!answer || !progress || answer.finished || answer.firstTokenAt !== undefined || answer.parts.length > 0) return null;
  const n = (v: number) => v.toLocaleString("en-US");
  return `Processing prompt ${n(progress.evaluated)} / ${n(progress.total)}`;
}

function stringify(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** The answer's text so far, for copy. */
export function liveContent(answer: LiveAnswer): string {
  return answer.parts.map((p) => (p.kind === "content" ? p.text : "")).join("");
}
