/** Download speed as an exponential moving average, so the ETA does not jump with every read. */
export class SpeedMeter {
  private lastBytes: number | null = null;
  private lastAt = 0;
  private ema = 0;

  constructor(private readonly alpha = 0.3) {}

  sample(bytesDone: number, now: number): number {
    if (this.lastBytes === null || now <= this.lastAt) {
      if (this.lastBytes === null) {
        this.lastBytes = bytesDone;
        this.lastAt = now;
      }
      return this.ema;
    }
    const instant = (Math.max(0, bytesDone - this.lastBytes) * 1000) / (now - this.lastAt);
    this.ema = this.ema === 0 ? instant : this.alpha * instant + (1 - this.alpha) * this.ema;
    this.lastBytes = bytesDone;
    this.lastAt = now;
    return this.ema;
  }

  get bytesPerSecond(): number {
    return this.ema;
  }

  etaSeconds(remaining: number): number | null {
    return this.ema > 0 ? remaining / this.ema : null;
  }
}
