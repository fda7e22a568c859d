/**
 * First come, first served turns at the engine, which runs one generation at a time:
 * chats, agents and the API server wait here instead of being refused as busy.
 */
export class EngineTurns {
  private holder: string | undefined;
  private readonly waiting: Array<{ id: string; settle: (granted: boolean) => void }> = [];

  /** Resolves true when `id` holds the engine, false if it left the line first. */
  take(id: string): Promise<boolean> {
    if (this.holder === undefined) {
      this.holder = id;
      return Promise.resolve(true);
    }
    return new Promise((settle) => this.waiting.push({ id, settle }));
  }

  isWaiting(id: string): boolean {
    return this.waiting.some((w) => w.id === id);
  }

  /** Gives up `id`'s turn, held or awaited; the next in line gets the engine. */
  leave(id: string): void {
    const index = this.waiting.findIndex((w) => w.id === id);
    if (index >= 0) {
      this.waiting.splice(index, 1)[0]?.settle(false);
      return;
    }
    if (this.holder !== id) return;
    const next = this.waiting.shift();
    this.holder = next?.id;
    next?.settle(true);
  }
}
