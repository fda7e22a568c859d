/**
 * Bandwidth limit shared by every connection: each read spends tokens and, once the bucket
 * is in debt, the reader pauses for as long as the debt takes to refill.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rateBps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = this.capacity();
    this.last = now();
  }

  /** 0 turns the limit off. */
  setRate(rateBps: number): void {
    this.refill();
    this.rateBps = Math.max(0, rateBps);
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  get rate(): number {
    return this.rateBps;
  }

  /** Spends `bytes`; returns how many ms the caller should pause before reading more. */
  take(bytes: number): number {
    if (this.rateBps <= 0) return 0;
    this.refill();
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rateBps) * 1000);
  }

  // A burst of 100 ms keeps the limit smooth without starving small reads.
  private capacity(): number {
    return Math.max(16 * 1024, this.rateBps / 10);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity(), this.tokens + ((t - this.last) / 1000) * this.rateBps);
    this.last = t;
  }
}
