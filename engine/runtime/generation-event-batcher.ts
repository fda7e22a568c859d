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
 * Coalesces one generation's events into at most one message per interval, so decoding does not pay an
 * IPC message (and its validation, on both ends) per token. A streamed event is sent at once when nothing
 * went out within the interval, else by a timer at its end; consecutive text deltas of one kind merge
 * (consumers only concatenate them). Order is kept: an event that may not wait flushes what waits first,
 * then goes alone, so a send that fails on it (a value nested too deep) fails on it only and throws to its
 * emitter. A timer's failed send is thrown by the next push.
 */
export class GenerationEventBatcher {
  private waiting: GenerationEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = -Infinity;
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
    if (!mayWait(event)) {
      this.flush();
      this.post([event]);
      return;
    }
    this.append(event);
    const wait = this.lastSentAt + this.intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flushFromTimer(), wait);
  }

  /** Sends what waits now (the generation ended, or its reply is about to go). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const events = this.waiting;
    this.waiting = [];
    this.post(events);
  }

  private flushFromTimer(): void {
    try {
      this.flush();
    } catch (error) {
      this.failure = { error };
    }
  }

  private post(events: GenerationEvent[]): void {
    this.lastSentAt = performance.now();
    this.send(events);
  }

  private append(event: GenerationEvent): void {
    const last = this.waiting.at(-1);
    if (last !== undefined && isTextDelta(event) && last.type === event.type) {
      this.waiting[this.waiting.length - 1] = { type: event.type, text: last.text + event.text };
    } else {
      this.waiting.push(event);
    }
  }
}
