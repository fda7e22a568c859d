import { GIT_URL_KEYS, SAFE_GIT_CONFIG_KEYS, SAFE_GIT_CONFIG_SECTIONS } from "../../../app/agent/protected-paths";

/**
 * Reads a git config file the way git's own parser (config.c) does, to decide whether a config a
 * sandboxed command wrote may stay: every key must be plain data (SAFE_GIT_CONFIG_KEYS). Anything
 * this parser does not read exactly like git (odd syntax, a NUL byte) counts as unsafe: the cost of
 * a false alarm is one removed config, the cost of a miss is code run on the host.
 */

export interface GitConfigEntry {
  /** Lowercased, like git. */
  section: string;
  /** Case-sensitive (`[remote "origin"]`), or null. */
  subsection: string | null;
  /** Lowercased. */
  name: string;
  /** null for a bare `name` (boolean true). */
  value: string | null;
}

class Syntax extends Error {}

const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);
const isKeyChar = (c: string) => /^[A-Za-z0-9-]$/.test(c);
const isSectionChar = (c: string) => /^[A-Za-z0-9.-]$/.test(c);
const isSpace = (c: string) => c === " " || c === "\t" || c === "\v" || c === "\f" || c === "\r";

/** Parses a config; null when git would read it differently or refuse it. */
export function parseGitConfig(text: string): GitConfigEntry[] | null {
  if (text.includes("\0")) return null;
  // git folds CRLF to LF and skips a UTF-8 BOM; EOF reads as a newline.
  const input = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  let at = 0;
  const next = (): string => (at < input.length ? (input[at++] as string) : "\n");
  const peek = (): string => (at < input.length ? (input[at] as string) : "\n");
  const entries: GitConfigEntry[] = [];
  let section: string | null = null;
  let subsection: string | null = null;

  const parseSection = () => {
    let name = "";
    while (isSectionChar(peek()) && at < input.length) name += next();
    const c = next();
    if (c === "]") {
      if (name === "") throw new Syntax();
      // Deprecated [section.sub] form: git lowercases the whole name.
      const dot = name.indexOf(".");
      section = (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
      subsection = dot < 0 ? null : name.slice(dot + 1).toLowerCase();
      return;
    }
    if (!isSpace(c) || name === "" || name.includes(".")) throw new Syntax();
    while (isSpace(peek())) next();
    if (next() !== '"') throw new Syntax();
    let sub = "";
    for (;;) {
      if (at >= input.length) throw new Syntax();
      const s = next();
      if (s === "\n") throw new Syntax();
      if (s === '"') break;
      if (s === "\\") {
        if (at >= input.length) throw new Syntax();
        const escaped = next();
        if (escaped === "\n") throw new Syntax();
        sub += escaped;
        continue;
      }
      sub += s;
    }
    if (next() !== "]") throw new Syntax();
    section = name.toLowerCase();
    subsection = sub;
  };

  const parseValue = (): string => {
    let value = "";
    let quoted = false;
    let pendingSpace = "";
    while (isSpace(peek()) && at < input.length) next();
    for (;;) {
      const c = next();
      if (c === "\n") {
        if (quoted) throw new Syntax();
        return value;
      }
      if (!quoted && isSpace(c)) {
        pendingSpace += c;
        continue;
      }
      if (!quoted && (c === "#" || c === ";")) {
        while (at < input.length && peek() !== "\n") next();
        continue;
      }
      value += pendingSpace;
      pendingSpace = "";
      if (c === "\\") {
        if (at >= input.length) throw new Syntax();
        const escaped = next();
        if (escaped === "\n") continue; // line continuation
        const map: Record<string, string> = { t: "\t", b: "\b", n: "\n", '"': '"', "\\": "\\" };
        const replaced = map[escaped];
        if (replaced === undefined) throw new Syntax();
        value += replaced;
        continue;
      }
      if (c === '"') {
        quoted = !quoted;
        continue;
      }
      value += c;
    }
  };

  try {
    while (at < input.length) {
      const c = next();
      if (c === "\n" || isSpace(c)) continue;
      if (c === "#" || c === ";") {
        while (at < input.length && peek() !== "\n") next();
        continue;
      }
      if (c === "[") {
        parseSection();
        continue;
      }
      if (!isAlpha(c) || section === null) throw new Syntax();
      let name = c;
      while (at < input.length && isKeyChar(peek())) name += next();
      while (at < input.length && isSpace(peek())) next();
      let value: string | null = null;
      if (at < input.length && peek() !== "\n") {
        if (next() !== "=") throw new Syntax();
        value = parseValue();
      }
      entries.push({ section, subsection, name: name.toLowerCase(), value });
    }
  } catch (error) {
    if (error instanceof Syntax) return null;
    throw error;
  }
  return entries;
}

const SAFE_KEYS = new Set<string>(SAFE_GIT_CONFIG_KEYS);
const SAFE_SECTIONS = new Set<string>(SAFE_GIT_CONFIG_SECTIONS);
const URL_KEYS = new Set<string>(GIT_URL_KEYS);

/** `<transport>::<address>` runs git-remote-<transport> (ext:: runs any command); a leading "-" is an option. */
function safeUrl(value: string | null): boolean {
  return value !== null && !/^[A-Za-z0-9+.-]*::/.test(value) && !value.startsWith("-");
}

/** The keys that make a config unsafe to keep; empty when every key is plain data. */
export function unsafeGitConfigKeys(text: string): string[] {
  const entries = parseGitConfig(text);
  if (!entries) return ["(syntax git may read differently)"];
  const unsafe: string[] = [];
  for (const entry of entries) {
    const pattern = entry.subsection === null ? `${entry.section}.${entry.name}` : `${entry.section}.*.${entry.name}`;
    const shown = entry.subsection === null ? pattern : `${entry.section}.${entry.subsection}.${entry.name}`;
    if (SAFE_SECTIONS.has(entry.section) && entry.subsection === null) continue;
    if (!SAFE_KEYS.has(pattern)) unsafe.push(shown);
    else if (URL_KEYS.has(pattern) && !safeUrl(entry.value)) unsafe.push(`${shown}=${entry.value ?? ""}`);
  }
  return [...new Set(unsafe)];
}
