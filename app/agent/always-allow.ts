import { entryWordFor, formatAllowEntry } from "./allow-entry";
import type { EntryWord } from "./allow-entry";
import type { CommandAnalysis } from "./command";
import { matchCommand } from "./command-match";

/**
 * What "Always allow" saves for a call that asks: computed with the decision, shown on the approval
 * before anything is saved, and saved exactly (main/services/agent-service.ts), or why it cannot be.
 */
export type AlwaysAllow = { ok: true; entries: string[] } | { ok: false; reason: string };

/** WorkspaceSettingsSchema's limit on one allowedCommands entry. */
const MAX_ENTRY_CHARS = 1000;

/** A tool is allowed by its name. */
export function toolEntries(tool: string): AlwaysAllow {
  return { ok: true, entries: [tool] };
}

/**
 * One exact entry per simple command, spelling out its words; never a wildcard. An entry is only
 * offered if it would allow that very command again, so what the card shows is what will match.
 */
export function commandEntries(analysis: CommandAnalysis): AlwaysAllow {
  const refuse = (reason: string): AlwaysAllow => ({ ok: false, reason });
  if (!analysis.ok) return refuse(`the command uses ${analysis.reason}, which the allowlist cannot vouch for`);
  const entries: string[] = [];
  for (const cmd of analysis.commands) {
    if (cmd.argv.length === 0) continue; // a bare redirection: checked on its own every time
    if (cmd.assignments.length > 0) return refuse(`\`${cmd.source}\` sets environment variables, which no entry matches`);
    const words: EntryWord[] = [];
    for (const word of cmd.argv) {
      const entryWord = entryWordFor(word);
      if (!entryWord) return refuse(`\`${cmd.source}\` has a word computed at run time (\`${word.source}\`)`);
      words.push(entryWord);
    }
    if (words[0]?.kind !== "literal") return refuse(`\`${cmd.source}\` runs a command whose name is computed at run time`);
    const entry = formatAllowEntry(words);
    if (entry.length > MAX_ENTRY_CHARS) return refuse(`\`${cmd.source}\` is too long to save`);
    const check = matchCommand(cmd, [entry]);
    if (!check.allowed) return refuse(check.reason);
    if (!entries.includes(entry)) entries.push(entry);
  }
  if (entries.length === 0) return refuse("the command runs no program to allow");
  return { ok: true, entries };
}
