import type { GenerationEvent } from "../../app/contract";

/** The longest a streamed event waits in the engine: the host still sees text at 60 Hz. */
export const GENERATION_EVENT_INTERVAL_MS = 16;

type TextDelta = Extract<GenerationEvent, { type: "reasoning_delta" | "content_delta" }>;

const isTextDelta = (event: GenerationEvent): event is TextDelta => event.type === "reasoning_delta" || event.type === "content_delta";

/** Events that only stream text may wait; tool-call boundaries, stats and `done` go out at once. */
function mayWait(event: GenerationEvent): boolean {
  if (isTextDelta(event)) return true;
  return event.type === "tool_call_argument" && !event.complete && event.value === undefined;
}

/**
 * Coalesces one generation's events into fewer IPC messages, so decoding does not pay a message (and its
 * validation, on both ends) per token. Sends happen where the engine's thread runs anyway, between two
 * decode steps: an event is held only while the next one is expected soon enough for the oldest held event
 * to leave within the interval (judged by the gap since the previous event), else everything goes now. A
 * timer at the oldest event's deadline covers a next event that comes late; it is the exception, because
 * work on this thread during a decode step takes a core from llama.cpp's threads and stalls them all.
 * Consecutive text deltas of one kind merge (consumers only concatenate them). Order is kept: an event that
 * may not wait flushes what waits first, then goes alone, so a send that fails on it (a value nested too
 * deep) fails on it only and throws to its emitter. A timer's failed send is thrown by the next push.
 */
export class GenerationEventBatcher {
  private waiting: GenerationEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest waiting event arrived, and when the previous event did. */
  private waitingSince = 0;
  private lastPushAt = -Infinity;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly send: (events: GenerationEvent[]) => void,
    private readonly intervalMs = GENERATION_EVENT_INTERVAL_MS,
  ) {}

  push(event: GenerationEvent): void {
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error;
    }
    const now = performance.now();
    const gap = now - this.lastPushAt;
    this.lastPushAt = now;
    if (!mayWait(event)) {
      this.flush();
      this.send([event]);
      return;
    }
    if (this.waiting.length === 0) this.waitingSince = now;
    this.append(event);
    // The next event, a gap from now, would come too late for the oldest waiting one: send now.
    if (now + gap - this.waitingSince > this.intervalMs) this.flush();
    else this.timer ??= setTimeout(() => this.flushFromTimer(), this.waitingSince + this.intervalMs - now);
  }

  /** Sends what waits now (the generation ended, or its reply is about to go). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const events = this.waiting;
    this.waiting = [];
    this.send(events);
  }

  private flushFromTimer(): void {
    try {
      this.flush();
    } catch (error) {
      this.failure = { error };
    }
  }

  private append(event: GenerationEvent): void {
    const last = this.waiting.at(-1);
    if (last !== undefined && isTextDelta(event) && last.type === event.type) {
      // The later delta's token count covers both.
      this.waiting[this.waiting.length - 1] = { ...event, text: last.text + event.text };
    } else {
      this.waiting.push(event);
    }
  }
}
