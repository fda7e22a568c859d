import type { Token } from "node-llama-cpp";
import type { TokenPieces } from "./token-pieces";

/** The part of LlamaModel the decoder uses (tests pass a fake). */
export type Detokenizer = {
  detokenize(tokens: readonly Token[], specialTokens?: boolean, lastTokens?: readonly Token[]): string;
};

const REPLACEMENT = "\uFFFD";
/** Context tokens passed to detokenize so tokenizers that fix up spacing see what came before. */
const RECENT_TOKENS = 8;
/** Give up waiting for a character to complete (a broken byte sequence) after this many tokens. */
const MAX_PENDING_TOKENS = 16;

/**
 * Turns tokens into text one token at a time without ever splitting a UTF-8 character:
 * a token that ends inside a multi-byte character is held until the character completes.
 * Special tokens are rendered as their text, because the M2 parser downstream reads them.
 */
export class TokenTextDecoder {
  private readonly model: Detokenizer;
  private readonly pieces: TokenPieces | undefined;
  private pending: Token[] = [];
  private recent: Token[];

  /**
   * `pieces`: cached single-token text, for tokenizers whose tokens decode the same whatever
   * precedes them (byte-level BPE, as M2's): skips the N-API calls for whole-character tokens.
   */
  constructor(model: Detokenizer, precedingTokens: readonly Token[] = [], pieces?: TokenPieces) {
    this.model = model;
    this.pieces = pieces;
    this.recent = precedingTokens.slice(-RECENT_TOKENS);
  }

  /** The text this token completes, or undefined while it ends mid-character. */
  push(token: Token): string | undefined {
    if (this.pending.length === 0 && this.pieces !== undefined) {
      const piece = this.pieces.piece(token);
      if (!piece.endsWith(REPLACEMENT)) {
        this.commit([token]);
        return piece;
      }
    }
    this.pending.push(token);
    const text = this.model.detokenize(this.pending, true, this.recent);
    if (text.endsWith(REPLACEMENT) && this.pending.length < MAX_PENDING_TOKENS) return undefined;
    this.commit();
    return text;
  }

  /** Whatever is held, even if it ends mid-character (shown as U+FFFD). */
  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.model.detokenize(this.pending, true, this.recent);
    this.commit();
    return text;
  }

  private commit(tokens: readonly Token[] = this.pending): void {
    this.recent = [...this.recent, ...tokens].slice(-RECENT_TOKENS);
    this.pending = [];
  }
}
