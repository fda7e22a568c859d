import type { SimpleCommand } from "./command";

/**
 * An allowlist entry such as `npm test` (exactly those words) or `npm run *` (those words, then
 * anything). Entries are plain words split on blanks; no quoting, no globs inside a word.
 */
export interface AllowPattern {
  source: string;
  words: string[];
  prefix: boolean;
}

export function parseAllowPattern(source: string): AllowPattern | null {
  const words = source.trim().split(/\s+/).filter((w) => w !== "");
  const prefix = words[words.length - 1] === "*";
  if (prefix) words.pop();
  // A bare `*` would allow every command: refuse it rather than guess.
  if (words.length === 0 || words.includes("*")) return null;
  return { source: source.trim(), words, prefix };
}

export type CommandMatch = { allowed: true; pattern: string } | { allowed: false; reason: string };

/**
 * Whether one simple command is covered by an allowlist. The command name and every word a pattern
 * spells out must be static text equal to it; `*` then covers the rest. Environment assignments
 * (`PATH=… npm test`) never match: they change what the allowed words mean.
 */
export function matchCommand(cmd: SimpleCommand, patterns: readonly string[]): CommandMatch {
  if (cmd.assignments.length > 0) {
    return { allowed: false, reason: `\`${cmd.source}\` sets environment variables` };
  }
  if (cmd.argv.length === 0) return { allowed: true, pattern: "(redirection only)" };
  for (const raw of patterns) {
    const pattern = parseAllowPattern(raw);
    if (pattern && matchesPattern(cmd, pattern)) return { allowed: true, pattern: pattern.source };
  }
  const name = cmd.argv[0]?.value;
  return {
    allowed: false,
    reason: name === null || name === undefined
      ? `\`${cmd.source}\` runs a command whose name is computed at run time`
      : `\`${cmd.source}\` is not in the command allowlist`,
  };
}

function matchesPattern(cmd: SimpleCommand, pattern: AllowPattern): boolean {
  if (cmd.argv.length < pattern.words.length) return false;
  if (!pattern.prefix && cmd.argv.length !== pattern.words.length) return false;
  return pattern.words.every((word, i) => cmd.argv[i]?.value === word);
}
