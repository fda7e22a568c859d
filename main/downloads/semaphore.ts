import { AbortedError } from "./errors";

/** Limits how many files download at once, across all downloads. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private capacity: number) {}

  resize(capacity: number): void {
    this.capacity = capacity;
    this.wake();
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new AbortedError();
    if (this.active >= this.capacity) {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const at = this.waiting.indexOf(grant);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new AbortedError());
        };
        this.waiting.push(grant);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  private wake(): void {
    while (this.active < this.capacity) {
      const next = this.waiting.shift();
      if (!next) return;
      this.active++;
      next();
    }
  }
}
