import type { Token } from "node-llama-cpp";
import type { Detokenizer } from "./token-text-decoder";

const REPLACEMENT = "\uFFFD";
const MAX_GROUP_TOKENS = 16;

/**
 * Fast bulk detokenization for bookkeeping: one N-API call per token is too slow for long
 * prompts, so single-token text is cached (a vocabulary is finite) and only tokens that end
 * mid-character are decoded together. Context-free: callers must check the joined text.
 */
export class TokenPieces {
  private readonly model: Detokenizer;
  private readonly cache = new Map<Token, string>();

  constructor(model: Detokenizer) {
    this.model = model;
  }

  /** For each token, the text it completes, or undefined while it ends mid-character. */
  *decode(tokens: readonly Token[]): Generator<string | undefined> {
    let group: Token[] = [];
    for (const token of tokens) {
      if (group.length === 0) {
        const piece = this.piece(token);
        if (!piece.endsWith(REPLACEMENT)) {
          yield piece;
          continue;
        }
      }
      group.push(token);
      const text = this.model.detokenize(group, true);
      if (text.endsWith(REPLACEMENT) && group.length < MAX_GROUP_TOKENS) {
        yield undefined;
        continue;
      }
      group = [];
      yield text;
    }
  }

  /** The token's text on its own (U+FFFD where it holds part of a character). */
  piece(token: Token): string {
    let piece = this.cache.get(token);
    if (piece === undefined) {
      piece = this.model.detokenize([token], true);
      this.cache.set(token, piece);
    }
    return piece;
  }
}
