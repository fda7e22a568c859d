import type { Token } from "marked";

/** One top-level markdown block. `done` blocks never change again, so their HTML is memoized. */
export interface MarkdownBlock {
  key: number;
  raw: string;
  done: boolean;
}

export type Lexer = (markdown: string) => readonly Token[];

/**
 * Splits a growing markdown text into top-level blocks, re-lexing only from the start
 * of the last unfinished block. A block is finished once a later non-blank block has
 * started (a list followed only by blank lines may still get another item).
 */
export class BlockSplitter {
  private text = "";
  private done: string[] = [];
  private offset = 0;

  constructor(private readonly lex: Lexer) {}

  /** `final`: the text will not grow any more, so every block is done. */
  update(input: string, final = false): { done: readonly string[]; growing: string | null } {
    const text = input.includes("\r") ? input.replace(/\r\n?/g, "\n") : input;
    if (!text.startsWith(this.text)) {
      this.done = [];
      this.offset = 0;
    }
    this.text = text;
    const tail = text.slice(this.offset);
    const tokens = this.lex(tail);
    let last = -1;
    tokens.forEach((t, i) => {
      if (t.type !== "space") last = i;
    });
    if (last === -1) return { done: this.done, growing: null };

    const upTo = final ? tokens.length : last;
    let consumed = 0;
    const finished: string[] = [];
    for (let i = 0; i < upTo; i++) {
      const token = tokens[i];
      if (!token) break;
      // The lexer's raws must tile the source; if one does not, stop advancing rather than drift.
      if (!tail.startsWith(token.raw, consumed)) break;
      consumed += token.raw.length;
      if (token.type !== "space") finished.push(token.raw);
    }
    if (consumed > 0 && (final || finished.length > 0)) {
      this.done = [...this.done, ...finished];
      this.offset += consumed;
    }
    const rest = text.slice(this.offset);
    return { done: this.done, growing: final || rest.trim() === "" ? null : rest.replace(/\n+$/, "") };
  }
}

/** All blocks of a text, for a finished message. */
export function toBlocks(result: { done: readonly string[]; growing: string | null }): MarkdownBlock[] {
  const blocks = result.done.map((raw, key) => ({ key, raw, done: true }));
  if (result.growing !== null) blocks.push({ key: blocks.length, raw: result.growing, done: false });
  return blocks;
}
