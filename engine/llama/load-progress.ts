/** The model's own load progress fills most of the bar; creating the context the rest. */
const MODEL_SHARE = 0.95;

/** Reports load progress in 0..1, never going backwards. */
export class LoadProgress {
  private readonly report: ((progress: number) => void) | undefined;
  private last = -1;

  constructor(report: ((progress: number) => void) | undefined) {
    this.report = report;
    this.emit(0);
  }

  model(fraction: number): void {
    this.emit(Math.min(1, Math.max(0, fraction)) * MODEL_SHARE);
  }

  done(): void {
    this.emit(1);
  }

  private emit(value: number): void {
    if (this.report === undefined || value <= this.last) return;
    this.last = value;
    try {
      this.report(value);
    } catch {
      // A failing progress listener must not fail the load.
    }
  }
}
