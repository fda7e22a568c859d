import type { CommandAnalysis, ShellRedirect, ShellWord, SimpleCommand } from "../../../app/agent/command";
import { parseBash, Unparseable } from "./sh-syntax";
import type { RefStmt } from "./sh-syntax";
import { parseScript, Unsupported } from "./script-parser";
import type { PCommand, PRedirect, PSimple, PStatement, PWord } from "./script-parser";

/**
 * Splits a command line into every simple command it would run, for the allowlist: chains, pipes,
 * subshells, groups, `$( )`, backticks and `bash -c '…'` are followed recursively. The structure
 * comes from script-parser and is only trusted where sh-syntax, the real parser, agrees with it:
 * same statements, same redirections, same word boundaries. Any disagreement fails closed.
 */

const MAX_SOURCE = 16_384;
const MAX_DEPTH = 6;
const MAX_SCRIPTS = 32;
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox-sh"]);

export async function analyzeCommand(source: string): Promise<CommandAnalysis> {
  if (source.length > MAX_SOURCE) {
    return { ok: false, source, kind: "unsupported", reason: `a command longer than ${MAX_SOURCE} characters` };
  }
  if (source.includes("\0")) return { ok: false, source, kind: "unparseable", reason: "a NUL byte" };
  try {
    const commands = await analyzeScript(source, [], { scripts: 0 });
    if (commands.length === 0) return { ok: false, source, kind: "unsupported", reason: "no command at all" };
    return { ok: true, source, commands };
  } catch (error) {
    if (error instanceof Unparseable) return { ok: false, source, kind: "unparseable", reason: error.message };
    if (error instanceof Unsupported) return { ok: false, source, kind: "unsupported", reason: error.message };
    throw error;
  }
}

async function analyzeScript(text: string, nesting: string[], budget: { scripts: number }): Promise<SimpleCommand[]> {
  if (nesting.length > MAX_DEPTH || ++budget.scripts > MAX_SCRIPTS) throw new Unsupported("nesting too deep to check");
  const file = parseBash(text);
  const statements = parseScript(text);
  const bytes = byteOffsets(text);
  crossCheckStatements(statements, file.Stmts, bytes);
  crossCheckWords(statements.flatMap((s) => s.commands.flatMap(wordsOf)));

  const out: SimpleCommand[] = [];
  for (const statement of statements) {
    for (const command of statement.commands) {
      out.push(...(await expandCommand(text, command, statement.background, nesting, budget)));
    }
  }
  return out;
}

async function expandCommand(text: string, command: PCommand, background: boolean, nesting: string[], budget: { scripts: number }): Promise<SimpleCommand[]> {
  const out: SimpleCommand[] = [];
  const source = text.slice(command.start, command.end);
  if (command.type !== "simple") {
    const label = command.type === "subshell" ? "( )" : "{ }";
    out.push(...(await analyzeScript(text.slice(command.bodyStart, command.bodyEnd), [...nesting, label], budget)));
    if (command.redirects.length > 0) out.push(simple(source, [], [], command.redirects, nesting, background));
  } else {
    const script = nestedShellScript(command);
    if (script !== null) {
      out.push(...(await analyzeScript(script, [...nesting, "bash -c"], budget)));
      if (command.redirects.length > 0 || command.assignments.length > 0) {
        out.push(simple(source, command.assignments, [], command.redirects, nesting, background));
      }
    } else {
      out.push(simple(source, command.assignments, command.words, command.redirects, nesting, background));
    }
  }
  for (const word of wordsOf(command)) {
    for (const inner of word.nested) out.push(...(await analyzeScript(inner.text, [...nesting, inner.kind], budget)));
  }
  return out;
}

function simple(source: string, assignments: PWord[], words: PWord[], redirects: PRedirect[], nesting: string[], background: boolean): SimpleCommand {
  return {
    source,
    assignments: assignments.map(shellWord),
    argv: words.map(shellWord),
    redirects: redirects.map((r): ShellRedirect => ({ op: r.op, fd: r.fd, target: shellWord(r.target), kind: r.kind })),
    nesting,
    background,
  };
}

function shellWord(word: PWord): ShellWord {
  return { source: word.source, value: word.value, expands: word.expands };
}

function wordsOf(command: PCommand): PWord[] {
  const targets = command.redirects.map((r) => r.target);
  return command.type === "simple" ? [...command.assignments, ...command.words, ...targets] : targets;
}

/**
 * The script of `bash -c '…'` and friends, or null when this runs a script file or stdin. Options
 * are read the way bash reads them: all of them first (some take a value), then the first operand
 * is the -c string.
 */
function nestedShellScript(command: PSimple): string | null {
  const name = command.words[0]?.value;
  if (!name || !SHELLS.has(name.slice(name.lastIndexOf("/") + 1))) return null;
  let hasC = false;
  for (let i = 1; i < command.words.length; i++) {
    const word = command.words[i] as PWord;
    if (word.value === null) {
      if (hasC) throw new Unsupported("a `-c` script computed at run time");
      throw new Unsupported("shell options computed at run time");
    }
    const arg = word.value;
    if (arg === "--" || arg === "-") {
      const script = command.words[i + 1];
      if (!hasC) return null;
      if (!script) throw new Unsupported("`-c` without a script");
      if (script.value === null) throw new Unsupported("a `-c` script computed at run time");
      return script.value;
    }
    if (arg.startsWith("--")) {
      if (arg === "--rcfile" || arg === "--init-file") i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(arg)) {
      if (arg.includes("c")) hasC = true;
      if (/[oO]/.test(arg)) i++; // -o pipefail, -O extglob: the next word is the option's value
      continue;
    }
    return hasC ? arg : null;
  }
  if (hasC) throw new Unsupported("`-c` without a script");
  return null;
}

function crossCheckStatements(mine: PStatement[], reference: RefStmt[], bytes: (index: number) => number): void {
  const disagree = (what: string) => new Unsupported(`syntax the checker reads differently from the shell parser (${what})`);
  if (mine.length !== reference.length) throw disagree(`${mine.length} vs ${reference.length} statements`);
  mine.forEach((statement, index) => {
    const ref = reference[index];
    if (!ref) throw disagree("missing statement");
    if (bytes(statement.start) !== ref.Pos.Offset) throw disagree(`statement ${index + 1} starts elsewhere`);
    if (statement.background !== ref.Background) throw disagree(`statement ${index + 1} backgrounding`);
    const only = statement.commands.length === 1 ? statement.commands[0] : undefined;
    const redirects = only ? only.redirects : [];
    const refRedirects = only ? ref.Redirs : [];
    if (redirects.length !== refRedirects.length) throw disagree(`statement ${index + 1} redirections`);
    redirects.forEach((r, k) => {
      const refR = refRedirects[k];
      if (!refR || refR.Op !== r.op || refR.OpPos.Offset !== bytes(r.opStart)) throw disagree(`redirection \`${r.op}\``);
    });
  });
}

/** Each word, parsed alone as a redirection target, must come back as exactly one word of the same extent. */
function crossCheckWords(words: PWord[]): void {
  if (words.length === 0) return;
  const prefix = ": > ";
  const lines = words.map((w) => prefix + w.source);
  const file = parseBash(lines.join("\n"));
  const disagree = (word: PWord) => new Unsupported(`a word the checker splits differently from the shell parser: ${word.source}`);
  if (file.Stmts.length !== words.length) throw disagree(words[0] as PWord);
  let offset = 0;
  words.forEach((word, index) => {
    const start = offset + Buffer.byteLength(prefix);
    const end = start + Buffer.byteLength(word.source);
    const redirs = file.Stmts[index]?.Redirs ?? [];
    const target = redirs[0]?.Word;
    if (redirs.length !== 1 || !target || target.Pos.Offset !== start || target.End.Offset !== end) throw disagree(word);
    offset = end + 1;
  });
}

function byteOffsets(text: string): (index: number) => number {
  const ascii = Buffer.byteLength(text) === text.length;
  return (index) => (ascii ? index : Buffer.byteLength(text.slice(0, index)));
}
