/** Text scanning helpers shared by the parser's modes. Pure functions over strings. */

export interface NeedleHit {
  index: number;
  needle: string;
}

/** Earliest complete occurrence of any needle; at equal index the longest wins. */
export function findEarliest(text: string, needles: readonly string[]): NeedleHit | null {
  let best: NeedleHit | null = null;
  for (const needle of needles) {
    const index = text.indexOf(needle);
    if (index === -1) continue;
    if (best === null || index < best.index || (index === best.index && needle.length > best.needle.length)) {
      best = { index, needle };
    }
  }
  return best;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of some needle:
 * the only text that must wait for more input before it can be classified.
 */
export function heldSuffixLength(text: string, needles: readonly string[]): number {
  let longest = 0;
  for (const needle of needles) {
    const max = Math.min(needle.length - 1, text.length);
    for (let len = max; len > longest; len--) {
      if (text.endsWith(needle.slice(0, len))) {
        longest = len;
        break;
      }
    }
  }
  return longest;
}

/** Open tags longer than this are not tags; it bounds how much text waits for a `>`. */
export const MAX_OPEN_TAG = 1024;

export type OpenTag =
  | { kind: "tag"; length: number; attrs: string }
  | { kind: "not_tag" }
  | { kind: "wait" };

/**
 * Reads `<invoke ...>` / `<parameter ...>` at the start of `text` (which starts with `head`).
 * Decisions depend only on the text, never on where chunks were cut.
 */
export function readOpenTag(text: string, head: string): OpenTag {
  const after = text.charAt(head.length);
  if (after === "") return { kind: "wait" };
  if (after !== ">" && !/\s/.test(after)) return { kind: "not_tag" };
  const close = text.indexOf(">", head.length);
  if (close === -1) return text.length > MAX_OPEN_TAG ? { kind: "not_tag" } : { kind: "wait" };
  if (close >= MAX_OPEN_TAG) return { kind: "not_tag" };
  return { kind: "tag", length: close + 1, attrs: text.slice(head.length, close) };
}

/**
 * The `name=` attribute, quoted or not, as MiniMax's reference parser accepts it.
 * Returns null when there is no non-empty name.
 */
export function readNameAttr(attrs: string): string | null {
  const match = /^\s*name\s*=\s*([\s\S]*)$/.exec(attrs);
  const value = match?.[1]?.trim() ?? "";
  const quote = value.charAt(0);
  let name = value;
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    name = end === -1 ? value.slice(1) : value.slice(1, end);
  }
  name = name.trim();
  return name === "" ? null : name;
}
