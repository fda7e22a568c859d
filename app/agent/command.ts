/**
 * A shell command as the policy sees it: every simple command it would run, already split out of
 * chains, pipes, subshells, substitutions and `bash -c` by main/agent/shell (which owns the parser).
 */

/**
 * One shell word. `value` is its text after quote removal, or null when the shell changes it at
 * run time. `expands` says why it can: true for parameter, command or arithmetic expansion (and
 * `$"…"`), which can run code (`${x@P}`, subscripts in `${a:$i}`); false for a static word, a pure
 * glob/brace/tilde word or `$'…'`, which cannot.
 */
export interface ShellWord {
  source: string;
  value: string | null;
  expands: boolean;
}

/** write: creates or truncates a file; read: reads one; fd: duplicates or closes a descriptor. */
export type RedirectKind = "write" | "read" | "fd";

export interface ShellRedirect {
  op: string;
  fd: string | null;
  target: ShellWord;
  kind: RedirectKind;
}

export interface SimpleCommand {
  /** What the user would read, as written in the command. */
  source: string;
  assignments: ShellWord[];
  argv: ShellWord[];
  redirects: ShellRedirect[];
  /** How it was reached, outermost first, e.g. ["$( )"] or ["bash -c", "( )"]. Empty at top level. */
  nesting: string[];
  background: boolean;
}

export type CommandAnalysis =
  | { ok: true; source: string; commands: SimpleCommand[] }
  | { ok: false; source: string; kind: "unparseable" | "unsupported"; reason: string };

/** Single-quotes a string for display, the way a shell would read it back. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
