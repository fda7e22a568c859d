import type { Token } from "node-llama-cpp";
import { StopMatcher } from "./stop-matcher";
import { TokenTextDecoder } from "./token-text-decoder";
import type { Detokenizer } from "./token-text-decoder";
import type { TokenPieces } from "./token-pieces";

export type SampledToken = { token: Token; text: string | undefined };

/**
 * Turns sampled tokens into the text the caller sees: UTF-8-safe decoding, stop strings,
 * and delta callbacks. The emitted deltas always join to exactly `finish()`'s text.
 */
export class GenerationOutput {
  /** Every sampled token with the text the decoder gave it (for the KV text map). */
  readonly sampled: SampledToken[] = [];
  private readonly decoder: TokenTextDecoder;
  private readonly stops: StopMatcher;
  private readonly onDelta: ((text: string, generatedTokens: number) => void) | undefined;
  private readonly chunks: string[] = [];
  private stopped = false;
  private callbackFailed = false;

  constructor(
    model: Detokenizer,
    promptTokens: readonly Token[],
    stop: readonly string[] | undefined,
    onDelta: ((text: string, generatedTokens: number) => void) | undefined,
    pieces?: TokenPieces,
  ) {
    this.decoder = new TokenTextDecoder(model, promptTokens, pieces);
    this.stops = new StopMatcher(stop);
    this.onDelta = onDelta;
  }

  get generatedTokens(): number {
    return this.sampled.length;
  }

  /** Add a sampled token; returns the stop string if this token completed one. */
  push(token: Token): string | undefined {
    const text = this.decoder.push(token);
    this.sampled.push({ token, text });
    if (!text || this.stopped) return undefined;
    const match = this.stops.push(text);
    this.emit(match.text);
    if (match.stop !== undefined) this.stopped = true;
    return match.stop;
  }

  /** Emit what is still held back (no stop string can complete now) and return the whole text. */
  finish(): string {
    if (!this.stopped) {
      const match = this.stops.push(this.decoder.flush());
      this.emit(match.text);
      if (match.stop === undefined) this.emit(this.stops.flush());
      this.stopped = true;
    }
    return this.chunks.join("");
  }

  private emit(text: string): void {
    if (text === "") return;
    this.chunks.push(text);
    if (this.onDelta === undefined || this.callbackFailed) return;
    try {
      this.onDelta(text, this.sampled.length);
    } catch (error) {
      // A broken consumer ends the generation, but must not be called again.
      this.callbackFailed = true;
      throw error;
    }
  }
}
