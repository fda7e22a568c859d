/**
 * Tracks markdown fenced code blocks over text as it is emitted, so tags the model
 * merely quotes inside ``` or ~~~ fences stay text.
 *
 * A fence opens on a line whose first non-blank characters are 3+ backticks (with no
 * backtick after them) or 3+ tildes, and closes on a line of only the same character,
 * at least as many, plus blanks. Any indentation is accepted, so fences nested in list
 * items count: erring towards "inside a fence" keeps quoted tags as text.
 */

interface Fence {
  char: string;
  length: number;
}

const FENCE_LINE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
/** Enough of a line to classify it; longer lines only matter for their start. */
const LINE_CAP = 256;

export class FenceTracker {
  private fence: Fence | null = null;
  private line = "";
  private lineOverflow = false;

  /** Whether the current line is inside a fence. */
  get inside(): boolean {
    return this.fence !== null;
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
      start = newline + 1;
    }
  }

  private append(text: string): void {
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
