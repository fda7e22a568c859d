export type GenerationStats = {
  /** Tokens the sequence held for this prompt: reusedTokens + evaluatedTokens. */
  promptTokens: number;
  /** Prompt tokens already in the KV cache from earlier requests. */
  reusedTokens: number;
  /** Prompt tokens evaluated for this request. */
  evaluatedTokens: number;
  /** Sampled tokens, not counting the end-of-generation token. */
  generatedTokens: number;
  /** Request start to the first sampled token; 0 if none was sampled. */
  ttftMs: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  totalMs: number;
};

/** Timestamps of one generation, turned into stats at the end. */
export class GenerationClock {
  private readonly startedAt = performance.now();
  private prefillStartedAt: number | undefined;
  private firstSampleAt: number | undefined;
  private lastSampleAt: number | undefined;
  private decodeSteps = 0;

  prefillStarted(): void {
    this.prefillStartedAt = performance.now();
  }

  /** A sampling step finished (a token, or the end-of-generation token). */
  sampled(): void {
    const now = performance.now();
    if (this.firstSampleAt === undefined) this.firstSampleAt = now;
    else this.decodeSteps++;
    this.lastSampleAt = now;
  }

  stats(counts: { promptTokens: number; reusedTokens: number; generatedTokens: number }): GenerationStats {
    const now = performance.now();
    const evaluatedTokens = counts.promptTokens - counts.reusedTokens;
    const first = this.firstSampleAt;
    const prefillMs = first !== undefined && this.prefillStartedAt !== undefined ? first - this.prefillStartedAt : 0;
    const decodeMs = first !== undefined && this.lastSampleAt !== undefined ? this.lastSampleAt - first : 0;
    return {
      ...counts,
      evaluatedTokens,
      ttftMs: first !== undefined ? first - this.startedAt : 0,
      prefillTokensPerSecond: perSecond(evaluatedTokens, prefillMs),
      decodeTokensPerSecond: perSecond(this.decodeSteps, decodeMs),
      totalMs: now - this.startedAt,
    };
  }
}

function perSecond(count: number, ms: number): number {
  return count > 0 && ms > 0 ? (count * 1000) / ms : 0;
}
