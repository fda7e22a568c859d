import { entryWordMatches, parseAllowPattern } from "./allow-entry";
import type { AllowPattern } from "./allow-entry";
import type { SimpleCommand } from "./command";
import { starRefusal } from "./shell-names";

export { parseAllowPattern };
export type { AllowPattern };

export type CommandMatch = { allowed: true; pattern: string } | { allowed: false; reason: string };

/**
 * Whether one simple command is covered by an allowlist (entry format: allow-entry.ts). Every word
 * an entry spells out must be that very word; a trailing `*` then covers the rest, but never a word
 * with an expansion, and never the arguments of a builtin that evaluates them, a wrapper or a shell.
 * Environment assignments (`PATH=… npm test`) never match: they change what the allowed words mean.
 */
export function matchCommand(cmd: SimpleCommand, patterns: readonly string[]): CommandMatch {
  if (cmd.assignments.length > 0) {
    return { allowed: false, reason: `\`${cmd.source}\` sets environment variables` };
  }
  if (cmd.argv.length === 0) return { allowed: true, pattern: "(redirection only)" };
  let refusal: string | null = null;
  for (const raw of patterns) {
    const pattern = parseAllowPattern(raw);
    if (!pattern) continue;
    const result = matchPattern(cmd, pattern);
    if (result === true) return { allowed: true, pattern: pattern.source };
    if (typeof result === "string") refusal ??= result;
  }
  if (refusal) return { allowed: false, reason: refusal };
  const name = cmd.argv[0]?.value;
  return {
    allowed: false,
    reason: name === null || name === undefined
      ? `\`${cmd.source}\` runs a command whose name is computed at run time`
      : `\`${cmd.source}\` is not in the command allowlist`,
  };
}

/** true, false (not this entry), or why this entry's words fit but it still may not allow the command. */
function matchPattern(cmd: SimpleCommand, pattern: AllowPattern): boolean | string {
  const { argv } = cmd;
  if (argv.length < pattern.words.length) return false;
  if (!pattern.wildcard && argv.length !== pattern.words.length) return false;
  if (!pattern.words.every((word, i) => entryWordMatches(word, argv[i]!))) return false;

  const name = argv[0]?.value as string; // the first entry word is a literal, so the name is static
  const evaluates = starRefusal(name);
  if (evaluates) {
    if (pattern.wildcard) return `\`*\` in \`${pattern.source}\` never covers the arguments of ${evaluates}`;
    // An entry's glob expands to file names the model can choose, such as `a[$(id)]`.
    const glob = argv.find((w) => w.value === null);
    if (glob) return `the glob \`${glob.source}\` in \`${cmd.source}\` would hand file names to ${evaluates}`;
    return true;
  }
  const expansion = argv.slice(pattern.words.length).find((w) => w.expands);
  if (expansion) return `\`*\` in \`${pattern.source}\` never covers an expansion: \`${expansion.source}\``;
  return true;
}
