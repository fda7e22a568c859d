/**
 * Tracks markdown fenced code blocks over text as it is emitted, so tags the model
 * merely quotes inside ``` or ~~~ fences stay text.
 *
 * A fence opens on a line whose first non-blank characters are 3+ backticks (with no
 * backtick after them) or 3+ tildes, and closes on a line of only the same character,
 * at least as many, plus blanks. Any indentation is accepted, so fences nested in list
 * items count: erring towards "inside a fence" keeps quoted tags as text.
 *
 * It also tracks inline code on the current line: a run of backticks opens a span that the
 * next run of the same length closes. A span still open is treated as code even though
 * markdown would call its backticks literal if no closing run ever came: the stream cannot
 * wait for the line to end, and erring towards code keeps quoted tags as text. Spans end
 * with the line (markdown lets them run on within a paragraph, which a parser that must
 * decide at once would have to guess).
 */

interface Fence {
  char: string;
  length: number;
}

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const FENCE_START = /^[ \t]*(?:`{3,}|~{3,})/;
/** Enough of a line to classify it; longer lines only matter for their start. */
const LINE_CAP = 256;
const BACKTICK = 0x60;

export class FenceTracker {
  private fence: Fence | null = null;
  private line = "";
  private lineOverflow = false;
  /** Length of the backtick run that opened the inline code span on this line; 0 when none is open. */
  private span = 0;
  /** Backticks at the very end of the text so far: a run that may still grow. */
  private run = 0;

  /** Whether the current line is inside a fence. */
  get inside(): boolean {
    return this.fence !== null;
  }

  /**
   * Whether a tag starting right here is quoted rather than markup: inside a fence, inside
   * inline code, or in the info string of a line that opens a fence.
   */
  quotesHere(): boolean {
    return this.inside || this.inCodeSpan() || FENCE_START.test(this.line);
  }

  /** Whether the next line will be inside a fence, once the current one ends. */
  insideAfterLineEnd(): boolean {
    return this.afterLine() !== null;
  }

  feed(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) {
        this.append(text.slice(start));
        return;
      }
      this.append(text.slice(start, newline));
      this.fence = this.afterLine();
      this.line = "";
      this.lineOverflow = false;
      this.span = 0;
      this.run = 0;
      start = newline + 1;
    }
  }

  /** A run of backticks ends before a tag's `<`, so the pending run counts as complete. */
  private inCodeSpan(): boolean {
    if (this.run === 0) return this.span > 0;
    return this.span === 0 || this.run !== this.span;
  }

  /** `text` holds no newline. */
  private trackSpans(text: string): void {
    if (this.run === 0 && !text.includes("`")) return;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === BACKTICK) {
        this.run++;
        continue;
      }
      if (this.run === 0) continue;
      if (this.span === 0) this.span = this.run;
      else if (this.run === this.span) this.span = 0;
      this.run = 0;
    }
  }

  private append(text: string): void {
    this.trackSpans(text);
    if (this.line.length + text.length > LINE_CAP) {
      this.line = (this.line + text).slice(0, LINE_CAP);
      this.lineOverflow = true;
    } else {
      this.line += text;
    }
  }

  private afterLine(): Fence | null {
    const match = FENCE_LINE.exec(this.line);
    const run = match?.[1] ?? "";
    const rest = match?.[2] ?? "";
    const char = run.charAt(0);
    if (this.fence === null) {
      if (run === "" || (char === "`" && rest.includes("`"))) return null;
      return { char, length: run.length };
    }
    const closes =
      run !== "" && !this.lineOverflow && char === this.fence.char && run.length >= this.fence.length && rest.trim() === "";
    return closes ? null : this.fence;
  }
}
