import type { GenerateOptions, GenerationResult } from "./generator";

export type StartGeneration = (options: { signal: AbortSignal; onDelta: (text: string) => void }) => Promise<GenerationResult>;

/**
 * A generation as an async iterator of text deltas, with the final result alongside.
 * Leaving the loop early (break, throw) aborts the generation.
 */
export class GenerationStream implements AsyncIterable<string> {
  readonly result: Promise<GenerationResult>;
  private readonly controller = new AbortController();
  private readonly queue: string[] = [];
  private wake: (() => void) | undefined;
  private settled = false;
  private iterated = false;

  constructor(start: StartGeneration, signal: AbortSignal | undefined) {
    const combined = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
    this.result = start({
      signal: combined,
      onDelta: (text) => {
        this.queue.push(text);
        this.notify();
      },
    });
    // Iterating reports a failure too; an unread `result` must not count as unhandled.
    this.result.then(
      () => this.finish(),
      () => this.finish(),
    );
  }

  abort(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.iterated) throw new Error("A generation stream can be iterated only once");
    this.iterated = true;
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.settled) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      await this.result; // rethrows a failure that happened before any text
    } finally {
      if (!this.settled) this.abort();
    }
  }

  private finish(): void {
    this.settled = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

export type StreamOptions = Omit<GenerateOptions, "onDelta">;
