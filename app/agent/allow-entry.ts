import { shellQuote } from "./command";
import type { ShellWord } from "./command";

/**
 * The text format of a command allowlist entry, one simple command per entry:
 *
 *   npm test            exactly these words
 *   npm run *           these words, then anything: a trailing bare `*` is the only wildcard, and only
 *                       a person typing it in settings creates one
 *   git commit -m 'a b' a literal word with blanks or special characters, in shell single quotes
 *                       (`\x` outside quotes is the character x, as in `'it'\''s'`)
 *   rm -rf glob:*       an unquoted glob/brace/tilde word exactly as written (`*`, `*.txt`, `~/x`),
 *                       matching only that same word, never "anything"
 *
 * Entries saved before this format keep their meaning: plain words and a trailing `*` read the same.
 */

export type EntryWord = { kind: "literal"; text: string } | { kind: "glob"; source: string };

export interface AllowPattern {
  source: string;
  words: EntryWord[];
  /** Ends in the trailing wildcard `*`. */
  wildcard: boolean;
}

const GLOB_MARK = "glob:";
const BLANK = /[ \t\n]/;

/** Null for text that is not an entry (a bare `*` alone or mid-entry, an unterminated quote, a glob as the name). */
export function parseAllowPattern(source: string): AllowPattern | null {
  const raw = splitRaw(source);
  if (!raw || raw.length === 0) return null;
  const wildcard = raw[raw.length - 1] === "*";
  if (wildcard) raw.pop();
  // A bare `*` would allow every command, and one mid-entry has no meaning: refuse rather than guess.
  if (raw.length === 0 || raw.includes("*")) return null;
  const words = raw.map((r): EntryWord => (r.startsWith(GLOB_MARK) ? { kind: "glob", source: decode(r.slice(GLOB_MARK.length)) } : { kind: "literal", text: decode(r) }));
  if (words[0]?.kind !== "literal" || words.some((w) => w.kind === "glob" && w.source === "")) return null;
  return { source: source.trim(), words, wildcard };
}

/** The entry for exactly these words; never has the wildcard. parseAllowPattern reads it back to the same words. */
export function formatAllowEntry(words: readonly EntryWord[]): string {
  return words.map(formatWord).join(" ");
}

/** What an entry must say to match this command word; null for a word with an expansion, which no entry matches. */
export function entryWordFor(word: ShellWord): EntryWord | null {
  if (word.expands) return null;
  return word.value !== null ? { kind: "literal", text: word.value } : { kind: "glob", source: word.source };
}

export function entryWordMatches(expected: EntryWord, actual: ShellWord): boolean {
  if (actual.expands) return false;
  if (expected.kind === "literal") return actual.value === expected.text;
  return actual.value === null && actual.source === expected.source;
}

function formatWord(word: EntryWord): string {
  if (word.kind === "glob") return GLOB_MARK + (/^[^\s'\\]+$/.test(word.source) ? word.source : shellQuote(word.source));
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word.text) && !word.text.startsWith(GLOB_MARK) ? word.text : shellQuote(word.text);
}

/** Blank-separated raw words; blanks inside single quotes or after a backslash do not split. */
function splitRaw(source: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < source.length) {
    while (i < source.length && BLANK.test(source[i] as string)) i++;
    if (i >= source.length) break;
    const start = i;
    while (i < source.length && !BLANK.test(source[i] as string)) {
      if (source[i] === "'") {
        const close = source.indexOf("'", i + 1);
        if (close < 0) return null;
        i = close + 1;
      } else i += source[i] === "\\" ? 2 : 1;
    }
    out.push(source.slice(start, i));
  }
  return out;
}

function decode(raw: string): string {
  let text = "";
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === "'") {
      const close = raw.indexOf("'", i + 1);
      text += raw.slice(i + 1, close);
      i = close + 1;
    } else if (c === "\\" && i + 1 < raw.length) {
      text += raw[i + 1];
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
  return text;
}
