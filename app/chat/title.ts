export const DEFAULT_TITLE = "New chat";
export const TITLE_MAX_CHARS = 60;

/**
 * A conversation title from its first user message: the first non-blank line,
 * whitespace collapsed, at most `max` characters (code points, so emoji are never
 * split), cut on a word boundary with an ellipsis when it is longer.
 */
export function autoTitle(text: string, max = TITLE_MAX_CHARS): string {
  const line = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/\s+/g, " ").trim())
    .find((l) => l.length > 0);
  if (line === undefined) return DEFAULT_TITLE;
  const chars = Array.from(line);
  if (chars.length <= max) return line;

  // Leave room for the ellipsis.
  const head = chars.slice(0, max - 1);
  const nextIsBreak = chars[max - 1] === " ";
  const lastSpace = head.lastIndexOf(" ");
  // A single word longer than the limit is cut hard rather than dropped.
  const cut = nextIsBreak ? head.length : lastSpace > 0 ? lastSpace : head.length;
  const trimmed = head.slice(0, cut).join("").replace(/[\s,;:.\-–—]+$/u, "");
  return `${trimmed || head.join("")}…`;
}
