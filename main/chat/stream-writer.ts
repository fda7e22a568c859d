import { randomUUID } from "node:crypto";
import { AppError } from "../../app/contract/errors";
import { sqliteStorageFailure } from "../../app/contract/storage-failure";
import type { GenerationEvent, GenerationStats } from "../../app/contract/generation";
import type { MessageFailure, MessageStats, MessageStatus, StoredMessage, StoredToolCall } from "../../app/chat/types";
import type { FollowedAnswer } from "../../app/contract/chat-api";
import type { Db } from "../storage/database";
import { cachedStatement, chatContext } from "./context";
import { getMessage } from "./messages";
import type { ChatRepository } from "./repository";

export const DEFAULT_FLUSH_INTERVAL_MS = 500;

export interface StreamWriterOptions {
  /** Longest time accumulated text waits before it is written. */
  flushIntervalMs?: number;
  now?: () => number;
  newToolCallId?: () => string;
  /** After every write; the crash test uses it to know what reached the disk. */
  onFlush?: (written: { content: string; reasoning: string; toolCalls: number }) => void;
  /** A failed timer flush; it is also thrown by the next call on the writer. */
  onError?: (error: AppError) => void;
  /** The stats of the answer this stream continues: its tokens and times add to the new run's. */
  prior?: MessageStats;
}

export type FinalStatus = Exclude<MessageStatus, "streaming">;

/** The engine's stats in the stored shape. */
export function toMessageStats(stats: GenerationStats, extra: Pick<MessageStats, "reasoningMs" | "reasoningTokens"> = {}): MessageStats {
  const out: MessageStats = {
    promptTokens: stats.promptTokens,
    reusedTokens: stats.reusedTokens,
    evaluatedTokens: stats.evaluatedTokens,
    ttftMs: stats.ttftMs,
    prefillTps: stats.prefillTokensPerSecond,
    decodeTps: stats.decodeTokensPerSecond,
    generatedTokens: stats.generatedTokens,
    totalMs: stats.totalMs,
  };
  if (extra.reasoningMs !== undefined) out.reasoningMs = extra.reasoningMs;
  const reasoningTokens = extra.reasoningTokens ?? stats.reasoningTokens;
  if (reasoningTokens !== undefined) out.reasoningTokens = reasoningTokens;
  return out;
}

/**
 * Writes a streaming assistant message as it grows, so a crash loses at most one
 * interval of text. Deltas are buffered and written at most every flushIntervalMs;
 * state changes (reasoning→content, a completed tool call, the end) are written at
 * once. Every write stores the whole text: one atomic UPDATE, never a half state.
 */
export class StreamWriter {
  readonly messageId: string;
  private readonly db: Db;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly newToolCallId: () => string;
  private readonly options: StreamWriterOptions;
  private content: string;
  private reasoning: string;
  private toolCalls: StoredToolCall[];
  private stats: MessageStats | undefined;
  private phase: "start" | "reasoning" | "content" = "start";
  private reasoningStartedAt: number | undefined;
  private reasoningMs: number | undefined;
  /** This run's reasoning tokens so far, as the engine counts them on its deltas (else one per delta). */
  private reasoningTokens = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt: number;
  private finished = false;
  private pendingError: AppError | undefined;

  /** Attaches to a message in status `streaming`, keeping any text and stats it already has. */
  constructor(db: Db, messageId: string, options: StreamWriterOptions = {}) {
    this.db = db;
    this.messageId = messageId;
    this.options = options;
    this.interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.newToolCallId = options.newToolCallId ?? (() => `call_${randomUUID()}`);
    const message = getMessage(chatContext(db), messageId);
    if (message.status !== "streaming") {
      throw new AppError("bad_request", `Message ${messageId} is not streaming`, { messageId, status: message.status });
    }
    this.content = message.content;
    this.reasoning = message.reasoning;
    this.toolCalls = message.toolCalls;
    if (message.stats) this.stats = message.stats;
    this.lastFlushAt = this.now();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  appendReasoning(text: string): void {
    this.checkOpen();
    if (text === "") return;
    if (this.reasoningStartedAt === undefined) this.reasoningStartedAt = this.now();
    this.reasoning += text;
    if (this.switchTo("reasoning")) this.flush();
    else this.schedule();
  }

  appendContent(text: string): void {
    this.checkOpen();
    if (text === "") return;
    this.content += text;
    if (this.switchTo("content")) this.flush();
    else this.schedule();
  }

  /** A completed tool call is a state change: written at once. */
  addToolCall(call: Omit<StoredToolCall, "id"> & { id?: string }): StoredToolCall {
    this.checkOpen();
    this.endReasoning();
    const stored: StoredToolCall = { id: call.id ?? this.newToolCallId(), name: call.name, arguments: call.arguments };
    // The parser's verdict travels with the call, so the agent never runs a flagged one.
    if (call.error) stored.error = call.error;
    this.toolCalls = [...this.toolCalls, stored];
    this.flush();
    return stored;
  }

  /** Kept with the next write. */
  setStats(stats: MessageStats): void {
    this.checkOpen();
    this.stats = stats;
  }

  /** Feeds one engine event; returns the final message on `done`. */
  apply(event: GenerationEvent): StoredMessage | undefined {
    switch (event.type) {
      case "reasoning_delta":
        this.reasoningTokens = event.tokens ?? this.reasoningTokens + 1;
        this.appendReasoning(event.text);
        return undefined;
      case "content_delta":
        this.appendContent(event.text);
        return undefined;
      case "tool_call_completed":
        this.addToolCall({ name: event.name, arguments: event.arguments, ...(event.error && { error: event.error }) });
        return undefined;
      case "stats": {
        const stats = continuedStats(this.options.prior, toMessageStats(event.stats, this.reasoningExtra()));
        if (this.finished && !this.pendingError) this.writeLateStats(stats);
        else this.setStats(stats);
        return undefined;
      }
      case "done":
        // The contract: an engine failure keeps the partial output, marked interrupted.
        if (event.error) return this.finish("interrupted", { error: event.error.message, failure: messageFailure(event.error) });
        if (event.finish_reason === "abort") return this.finish("stopped");
        if (event.finish_reason === "error") return this.finish("error", { error: "Generation failed" });
        return this.finish("complete");
      default:
        return undefined;
    }
  }

  /** Writes the final state; the message leaves `streaming` for good and its conversation shows activity. */
  finish(status: FinalStatus, options: { error?: string; failure?: MessageFailure; stats?: MessageStats } = {}): StoredMessage {
    this.checkOpen();
    this.endReasoning();
    if (options.stats) this.stats = options.stats;
    if (this.stats && this.reasoningMs !== undefined && this.stats.reasoningMs === undefined) {
      this.stats = { ...this.stats, reasoningMs: this.reasoningMs };
    }
    this.clearTimer();
    this.finished = true;
    const now = this.now();
    this.guard(() =>
      this.db.transaction(() => {
        const result = cachedStatement(
          this.db,
          `UPDATE messages SET content = ?, reasoning = ?, tool_calls = ?, stats = ?, status = ?, error = ?, failure = ?, updated_at = ?
           WHERE id = ? AND status = 'streaming'`,
        ).run(this.content, this.reasoning, JSON.stringify(this.toolCalls), this.statsJson(), status,
            options.error ?? null, options.failure ? JSON.stringify(options.failure) : null, now, this.messageId);
        this.expectRow(result.changes);
        cachedStatement(
          this.db,
          "UPDATE conversations SET updated_at = ? WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
        ).run(now, this.messageId);
      })(),
    );
    this.options.onFlush?.({ content: this.content, reasoning: this.reasoning, toolCalls: this.toolCalls.length });
    return getMessage(chatContext(this.db), this.messageId);
  }

  /** The message as every event applied so far left it, written or not yet, and this run's thinking so far. */
  snapshot(): { message: StoredMessage; thinking: FollowedAnswer["thinking"] } {
    const stored = getMessage(chatContext(this.db), this.messageId);
    const message = { ...stored, content: this.content, reasoning: this.reasoning, toolCalls: this.toolCalls };
    if (this.reasoningStartedAt === undefined) return { message, thinking: null };
    const prior = this.options.prior;
    const baseTokens = prior?.reasoningTokens ?? 0;
    const ms = (prior?.reasoningMs ?? 0) + (this.reasoningMs ?? this.now() - this.reasoningStartedAt);
    return { message, thinking: { ms, tokens: baseTokens + this.reasoningTokens, baseTokens, ended: this.reasoningMs !== undefined } };
  }

  /** Writes what has accumulated now (nothing once finished). */
  flush(): void {
    if (this.finished) return;
    this.clearTimer();
    this.lastFlushAt = this.now();
    this.guard(() => {
      const result = cachedStatement(
        this.db,
        `UPDATE messages SET content = ?, reasoning = ?, tool_calls = ?, stats = ?, updated_at = ?
         WHERE id = ? AND status = 'streaming'`,
      ).run(this.content, this.reasoning, JSON.stringify(this.toolCalls), this.statsJson(), this.lastFlushAt,
          this.messageId);
      this.expectRow(result.changes);
    });
    this.options.onFlush?.({ content: this.content, reasoning: this.reasoning, toolCalls: this.toolCalls.length });
  }

  /** Stops the timer without writing: for a writer abandoned after its message was deleted. */
  dispose(): void {
    this.clearTimer();
    this.finished = true;
  }

  /** Stats that arrive after `done` still belong to the message. */
  private writeLateStats(stats: MessageStats): void {
    this.stats = stats;
    this.guard(() => {
      cachedStatement(this.db, "UPDATE messages SET stats = ? WHERE id = ?").run(this.statsJson(), this.messageId);
    });
  }

  private switchTo(phase: "reasoning" | "content"): boolean {
    const previous = this.phase;
    if (phase === "content") this.endReasoning();
    this.phase = phase;
    return previous !== "start" && previous !== phase;
  }

  private endReasoning(): void {
    if (this.reasoningStartedAt !== undefined && this.reasoningMs === undefined) {
      this.reasoningMs = this.now() - this.reasoningStartedAt;
    }
  }

  private reasoningExtra(): Pick<MessageStats, "reasoningMs"> {
    this.endReasoning();
    return this.reasoningMs === undefined ? {} : { reasoningMs: this.reasoningMs };
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlushAt + this.interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush();
      } catch (error) {
        // Nobody awaits a timer: keep the error for the next call, and report it.
        this.pendingError = AppError.from(error);
        this.finished = true;
        this.options.onError?.(this.pendingError);
      }
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private statsJson(): string | null {
    return this.stats ? JSON.stringify(this.stats) : null;
  }

  private expectRow(changes: number): void {
    if (changes === 1) return;
    this.finished = true;
    this.clearTimer();
    throw new AppError("not_found", `Message ${this.messageId} is gone or no longer streaming`, {
      messageId: this.messageId,
    });
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.finished = true;
      this.clearTimer();
      const failure = sqliteStorageFailure(error);
      throw new AppError("storage", `Could not save the answer: ${failure?.text ?? AppError.from(error).message}.`, {
        messageId: this.messageId,
        ...(failure ? { reason: failure.reason, sqliteCode: failure.sqliteCode } : {}),
      });
    }
  }

  private checkOpen(): void {
    if (this.pendingError) throw this.pendingError;
    if (this.finished) {
      throw new AppError("bad_request", `The stream of message ${this.messageId} has ended`, { messageId: this.messageId });
    }
  }
}

/** What a stored failure keeps of an engine error: its code, and its details when it has any. */
export function messageFailure(error: { code: string; details?: unknown }): MessageFailure {
  return { code: error.code, ...(error.details !== undefined ? { details: error.details } : {}) };
}

/** A continued answer's stats: the prompt figures are the new run's; tokens generated and time spent add up. */
function continuedStats(prior: MessageStats | undefined, next: MessageStats): MessageStats {
  if (!prior) return next;
  const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const generatedTokens = prior.generatedTokens + next.generatedTokens;
  const totalMs = prior.totalMs + next.totalMs;
  const reasoningMs = sum(prior.reasoningMs, next.reasoningMs);
  const reasoningTokens = sum(prior.reasoningTokens, next.reasoningTokens);
  return {
    ...next,
    generatedTokens,
    totalMs,
    ...(reasoningMs !== undefined ? { reasoningMs } : {}),
    ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
  };
}

/** A stopped or interrupted answer goes back to `streaming` to be continued (a StreamWriter then attaches to it). */
export function reopenStream(db: Db, messageId: string, now: number = Date.now()): void {
  const changed = db
    .prepare("UPDATE messages SET status = 'streaming', error = NULL, failure = NULL, updated_at = ? WHERE id = ? AND status IN ('stopped', 'interrupted')")
    .run(now, messageId).changes;
  if (changed !== 1) throw new AppError("bad_request", `Message ${messageId} is not a stopped or interrupted answer`, { messageId });
}

/**
 * On startup, before any generation: a message still `streaming` was cut off by a
 * crash or kill. It keeps the text it had and is marked `interrupted`.
 * Returns how many were recovered.
 */
export function recoverInterrupted(db: Db, now: number = Date.now()): number {
  return db
    .prepare("UPDATE messages SET status = 'interrupted', updated_at = ? WHERE status = 'streaming'")
    .run(now).changes;
}

/** Creates an empty streaming assistant message (under the active leaf unless `parentId` says) and its writer. */
export function startAssistantStream(
  repo: ChatRepository,
  conversationId: string,
  options: StreamWriterOptions & { parentId?: string | null } = {},
): StreamWriter {
  const { parentId, ...writerOptions } = options;
  const message = repo.appendMessage(conversationId, {
    role: "assistant",
    status: "streaming",
    ...(parentId !== undefined && { parentId }),
  });
  return new StreamWriter(repo.ctx.db, message.id, writerOptions);
}
