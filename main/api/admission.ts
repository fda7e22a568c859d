import { AppError } from "../../app/contract";

/**
 * The bound on API requests holding or awaiting the engine. Their order is the engine's own
 * FIFO (GenerationService's turns, shared with the app's chats); past the bound a request is
 * refused at once with 429 instead of waiting without end.
 */
export class Admission {
  private admitted = 0;

  constructor(readonly limit: number) {}

  /** Returns the release for an admitted request (a second call does nothing); throws engine_busy (→ 429) past the bound. */
  enter(): () => void {
    if (this.admitted >= this.limit) {
      throw new AppError("engine_busy", `${this.admitted} requests are already running or queued (the limit is ${this.limit}). Retry shortly.`, {
        queued: this.admitted,
      });
    }
    this.admitted += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.admitted -= 1;
    };
  }
}
