import { randomUUID } from "node:crypto";
import { AppError } from "../../app/contract";

/**
 * The bound on API requests holding or awaiting the engine. Their order is the engine's own
 * FIFO (GenerationService's turns, shared with the app's chats); past the bound a request is
 * refused at once with 429 instead of waiting without end.
 */
export class Admission {
  private readonly admitted = new Set<string>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.admitted.size;
  }

  /** Returns the release for an admitted request; throws engine_busy (→ 429) past the bound. */
  enter(): () => void {
    if (this.admitted.size >= this.limit) {
      throw new AppError("engine_busy", `${this.admitted.size} requests are already running or queued (the limit is ${this.limit}). Retry shortly.`, {
        queued: this.admitted.size,
      });
    }
    const ticket = randomUUID();
    this.admitted.add(ticket);
    return () => this.admitted.delete(ticket);
  }
}
