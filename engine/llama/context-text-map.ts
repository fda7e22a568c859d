import type { Token } from "node-llama-cpp";
import type { TokenPieces } from "./token-pieces";

/** Marks a token that ends inside a UTF-8 character: no text boundary after it. */
const MID_CHARACTER = -1;

/**
 * Mirrors the tokens held in the KV cache together with the text they spell.
 *
 * Re-tokenizing text the model generated does not always give back the tokens it sampled
 * (BPE may merge differently), so a token-level prefix match stops at the first such spot.
 * Matching on text instead lets a re-rendered conversation reuse the sampled tokens as-is.
 */
export class ContextTextMap {
  private tokens: Token[] = [];
  /** ends[i]: length of `text` after token i, or MID_CHARACTER. */
  private ends: number[] = [];
  private text = "";
  /** Index of the first token whose text is not faithful (see `append`); matches stop before it. */
  private barrier = Infinity;

  get length(): number {
    return this.tokens.length;
  }

  /**
   * Drop everything after the longest prefix that agrees with the sequence's real tokens. Tokens past the
   * end of an agreeing context stay: the last ones sampled before a stop were never evaluated, but they are
   * what the model wrote, so a continuation of that text feeds them as they were (not re-tokenized).
   */
  syncTo(contextTokens: readonly Token[]): void {
    const common = commonPrefixLength(this.tokens, contextTokens);
    if (common < contextTokens.length) this.truncate(common);
  }

  truncate(count: number): void {
    if (count >= this.tokens.length) return;
    // A map that ends mid-character cannot be extended: the held bytes are not in `text`.
    let keep = count;
    while (keep > 0 && this.ends[keep - 1] === MID_CHARACTER) keep--;
    this.tokens.length = keep;
    this.ends.length = keep;
    if (this.barrier >= keep) this.barrier = Infinity;
    this.text = this.text.slice(0, keep === 0 ? 0 : (this.ends[keep - 1] ?? 0));
  }

  clear(): void {
    this.truncate(0);
  }

  /**
   * Record a token with the text the decoder returned for it (undefined: mid-character).
   * `lossy`: the text stands for bytes it does not spell (U+FFFD for invalid UTF-8 the model
   * sampled); the same text in a prompt would be other tokens, so no match may cover it.
   */
  append(token: Token, text: string | undefined, lossy = false): void {
    if (lossy && this.barrier === Infinity) this.barrier = this.tokens.length;
    this.tokens.push(token);
    if (text === undefined) {
      this.ends.push(MID_CHARACTER);
      return;
    }
    this.text += text;
    this.ends.push(this.text.length);
  }

  /**
   * Make the map describe exactly `tokens`, whose text must be `expectedText`. Tokens already
   * mapped are kept, the rest are decoded. If the tokenizer does not round-trip (the decoded
   * text differs) the map is cleared, this returns false, and reuse falls back to comparing tokens.
   */
  rebuild(pieces: TokenPieces, tokens: readonly Token[], expectedText: string): boolean {
    this.truncate(commonPrefixLength(this.tokens, tokens));
    const added = tokens.slice(this.tokens.length);
    let index = 0;
    for (const text of pieces.decode(added)) this.append(added[index++] as Token, text);
    if (this.text === expectedText && this.ends.at(-1) !== MID_CHARACTER) return true;
    this.clear();
    return false;
  }

  /** The longest mapped token prefix whose text is a prefix of `text`. */
  matchText(text: string): { tokens: number; chars: number } {
    const common = commonPrefixLength(this.text, text);
    for (let index = Math.min(this.ends.length, this.barrier) - 1; index >= 0; index--) {
      const end = this.ends[index] as number;
      if (end !== MID_CHARACTER && end <= common) return { tokens: index + 1, chars: end };
    }
    return { tokens: 0, chars: 0 };
  }

  /** Tokens [0, count) as mapped (count must be ≤ length). */
  prefix(count: number): Token[] {
    return this.tokens.slice(0, count);
  }
}

export function commonPrefixLength<T extends string | readonly unknown[]>(a: T, b: T): number {
  const max = Math.min(a.length, b.length);
  let index = 0;
  while (index < max && a[index] === b[index]) index++;
  return index;
}
