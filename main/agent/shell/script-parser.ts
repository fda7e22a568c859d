import type { RedirectKind } from "../../../app/agent/command";

/**
 * A deliberately small bash parser that recovers what sh-syntax's JS AST leaves out (it keeps
 * statements and redirections but not what a statement's command is). It understands simple
 * commands, `;` `&` `&&` `||` `|`, `( )` and `{ }`, quoting, `$( )`, backticks and redirections;
 * anything else (loops, functions, here-documents, arithmetic, process substitution…) throws
 * Unsupported, so the policy asks instead of guessing. analyze.ts cross-checks its output against
 * sh-syntax before trusting it.
 */

export class Unsupported extends Error {}

export interface NestedScript {
  kind: "$( )" | "` `";
  text: string;
}

export interface PWord {
  start: number;
  end: number;
  source: string;
  /** After quote removal; null when anything in it changes at run time (globs included). */
  value: string | null;
  /** Parameter, command or arithmetic expansion, or `$"…"`: see ShellWord.expands. */
  expands: boolean;
  nested: NestedScript[];
}

export interface PRedirect {
  start: number;
  op: string;
  opStart: number;
  fd: string | null;
  target: PWord;
  kind: RedirectKind;
}

export interface PSimple {
  type: "simple";
  start: number;
  end: number;
  assignments: PWord[];
  words: PWord[];
  redirects: PRedirect[];
}

export interface PCompound {
  type: "subshell" | "group";
  start: number;
  end: number;
  /** The text between the brackets. */
  bodyStart: number;
  bodyEnd: number;
  redirects: PRedirect[];
}

export type PCommand = PSimple | PCompound;

/** One top-level statement: an and-or list of pipelines, flattened to its commands. */
export interface PStatement {
  start: number;
  background: boolean;
  commands: PCommand[];
}

const META = new Set([" ", "\t", "\n", ";", "&", "|", "<", ">", "(", ")"]);
const RESERVED = new Set([
  "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "select",
  "function", "time", "coproc", "[[", "]]", "{", "}", "!", "in",
]);
const REDIRECT_OPS = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">&", ">>", ">|", "<", ">"];
const WRITE_OPS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);

export function parseScript(src: string): PStatement[] {
  const parser = new Parser(src);
  const statements = parser.parseList(null);
  return statements;
}

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? "";
  }

  private startsWith(text: string): boolean {
    return this.src.startsWith(text, this.i);
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t") this.i++;
      else if (c === "\\" && this.peek(1) === "\n") this.i += 2;
      else return;
    }
  }

  private skipComment(): void {
    while (this.i < this.src.length && this.peek() !== "\n") this.i++;
  }

  /** Blanks, newlines and comments: what may sit between statements. */
  private skipLinebreaks(): void {
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === "\n") this.i++;
      else if (c === "#") this.skipComment();
      else return;
    }
  }

  /** The unquoted word at the cursor if it is a plain run of non-meta characters, else "". */
  private bareWord(): string {
    let j = this.i;
    while (j < this.src.length && !META.has(this.src[j] ?? "")) {
      const c = this.src[j];
      if (c === "'" || c === '"' || c === "\\" || c === "$" || c === "`") return "";
      j++;
    }
    return this.src.slice(this.i, j);
  }

  parseList(terminator: ")" | "}" | null): PStatement[] {
    const statements: PStatement[] = [];
    for (;;) {
      this.skipLinebreaks();
      if (this.i >= this.src.length) {
        if (terminator) throw new Unsupported(`a \`${terminator === ")" ? "(" : "{"}\` that is never closed`);
        return statements;
      }
      if (terminator === ")" && this.peek() === ")") return statements;
      if (terminator === "}" && this.bareWord() === "}") return statements;
      const statement: PStatement = { start: this.i, background: false, commands: this.parseAndOr() };
      this.skipBlanks();
      const c = this.peek();
      if (c === "&") {
        this.i++;
        statement.background = true;
      } else if (c === ";") {
        if (this.peek(1) === ";" || this.peek(1) === "&") throw new Unsupported("a case clause terminator");
        this.i++;
      } else if (c === "\n" || c === "#" || c === "" || c === ")") {
        // The loop above consumes these or stops at them.
      } else if (!(terminator === "}" && this.bareWord() === "}")) {
        throw new Unsupported(`an unexpected \`${c}\``);
      }
      statements.push(statement);
    }
  }

  private parseAndOr(): PCommand[] {
    const commands = this.parsePipeline();
    for (;;) {
      this.skipBlanks();
      if (!this.startsWith("&&") && !this.startsWith("||")) return commands;
      this.i += 2;
      this.skipLinebreaks();
      commands.push(...this.parsePipeline());
    }
  }

  private parsePipeline(): PCommand[] {
    this.skipBlanks();
    if (this.bareWord() === "!") {
      this.i++;
      this.skipBlanks();
    }
    const commands = [this.parseCommand()];
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== "|" || this.peek(1) === "|") return commands;
      this.i += this.peek(1) === "&" ? 2 : 1;
      this.skipLinebreaks();
      commands.push(this.parseCommand());
    }
  }

  private parseCommand(): PCommand {
    this.skipBlanks();
    const start = this.i;
    if (this.peek() === "(") {
      if (this.peek(1) === "(") throw new Unsupported("an arithmetic command `(( ))`");
      this.i++;
      return this.parseCompound("subshell", start, ")");
    }
    const bare = this.bareWord();
    if (bare === "{") {
      this.i++;
      return this.parseCompound("group", start, "}");
    }
    if (RESERVED.has(bare)) throw new Unsupported(`the shell keyword \`${bare}\``);
    return this.parseSimple();
  }

  private parseCompound(type: "subshell" | "group", start: number, close: ")" | "}"): PCompound {
    const bodyStart = this.i;
    this.parseList(close);
    const bodyEnd = this.i;
    this.i++;
    let end = this.i;
    const redirects: PRedirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (!this.atRedirect()) break;
      redirects.push(this.parseRedirect());
      end = this.i;
    }
    const c = this.peek();
    if (c !== "" && !"\n;&|)#}".includes(c)) throw new Unsupported(`\`${c}\` right after a \`${close}\``);
    return { type, start, end, bodyStart, bodyEnd, redirects };
  }

  private parseSimple(): PSimple {
    const command: PSimple = { type: "simple", start: this.i, end: this.i, assignments: [], words: [], redirects: [] };
    for (;;) {
      this.skipBlanks();
      if (this.atRedirect()) {
        command.redirects.push(this.parseRedirect());
        command.end = this.i;
        continue;
      }
      const c = this.peek();
      if (c === "" || "\n;&|)".includes(c)) break;
      if (c === "(") throw new Unsupported("a `(` after a word (a function definition, array or extended glob)");
      if (c === "#") {
        this.skipComment();
        continue;
      }
      const word = this.parseWord();
      if (command.words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(word.source)) {
        if (this.peek() === "(") throw new Unsupported("an array assignment");
        command.assignments.push(word);
      } else {
        command.words.push(word);
      }
      command.end = this.i;
    }
    if (command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0) {
      throw new Unsupported("an empty command");
    }
    return command;
  }

  private atRedirect(): boolean {
    let j = this.i;
    while (/[0-9]/.test(this.src[j] ?? "")) j++;
    const named = /^\{[A-Za-z_][A-Za-z0-9_]*\}[<>]/.exec(this.src.slice(this.i, this.i + 80));
    if (named) throw new Unsupported("a named file descriptor redirection `{var}>`");
    const rest = this.src.slice(j, j + 3);
    if (j > this.i && !rest.startsWith("<") && !rest.startsWith(">")) return false;
    if (/^[<>]\(/.test(rest)) throw new Unsupported("process substitution `<( )`/`>( )`");
    return REDIRECT_OPS.some((op) => rest.startsWith(op));
  }

  private parseRedirect(): PRedirect {
    const start = this.i;
    let fd: string | null = null;
    const digits = /^[0-9]+/.exec(this.src.slice(this.i, this.i + 20));
    if (digits) {
      fd = digits[0];
      this.i += fd.length;
    }
    const opStart = this.i;
    const op = REDIRECT_OPS.find((candidate) => this.startsWith(candidate));
    if (!op) throw new Unsupported("a malformed redirection");
    if (op === "<<" || op === "<<-") throw new Unsupported("a here-document");
    this.i += op.length;
    this.skipBlanks();
    const c = this.peek();
    if (c === "" || META.has(c)) throw new Unsupported(`a \`${op}\` without a target`);
    const target = this.parseWord();
    return { start, op, opStart, fd, target, kind: redirectKind(op, target) };
  }

  private parseWord(): PWord {
    const start = this.i;
    const state: WordState = { value: "", dynamic: false, expands: false, nested: [] };
    while (this.i < this.src.length) {
      const c = this.peek();
      if (META.has(c)) break;
      if (c === "\\") {
        if (this.peek(1) === "\n") this.i += 2;
        else if (this.i + 1 >= this.src.length) {
          state.value += "\\";
          this.i++;
        } else {
          state.value += this.peek(1);
          this.i += 2;
        }
      } else if (c === "'") {
        const close = this.src.indexOf("'", this.i + 1);
        if (close < 0) throw new Unsupported("an unterminated single quote");
        state.value += this.src.slice(this.i + 1, close);
        this.i = close + 1;
      } else if (c === '"') {
        this.parseDoubleQuoted(state);
      } else if (c === "`") {
        this.parseBackticks(state);
      } else if (c === "$") {
        this.parseDollar(state, false);
      } else {
        // Globs, brace expansion and tilde expand at run time: such a word has no fixed value.
        if ("*?[]{}~".includes(c)) state.dynamic = true;
        state.value += c;
        this.i++;
      }
    }
    const source = this.src.slice(start, this.i);
    // A lone `[` or `]` (test's brackets) is no glob: bash passes it on as it is.
    const dynamic = state.dynamic && source !== "[" && source !== "]";
    return {
      start,
      end: this.i,
      source,
      value: dynamic || state.expands ? null : state.value,
      expands: state.expands,
      nested: state.nested,
    };
  }

  private parseDoubleQuoted(state: WordState): void {
    this.i++;
    for (;;) {
      if (this.i >= this.src.length) throw new Unsupported("an unterminated double quote");
      const c = this.peek();
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === "\\") {
        const next = this.peek(1);
        if (next === "\n") this.i += 2;
        else if ("$`\"\\".includes(next) && next !== "") {
          state.value += next;
          this.i += 2;
        } else {
          state.value += c;
          this.i++;
        }
      } else if (c === "$") {
        this.parseDollar(state, true);
      } else if (c === "`") {
        this.parseBackticks(state);
      } else {
        state.value += c;
        this.i++;
      }
    }
  }

  private parseBackticks(state: WordState): void {
    let j = this.i + 1;
    while (j < this.src.length && this.src[j] !== "`") j += this.src[j] === "\\" ? 2 : 1;
    if (j >= this.src.length) throw new Unsupported("an unterminated backtick");
    const raw = this.src.slice(this.i + 1, j);
    state.nested.push({ kind: "` `", text: raw.replace(/\\([$`\\])/g, "$1") });
    state.expands = true;
    this.i = j + 1;
  }

  private parseDollar(state: WordState, inDouble: boolean): void {
    const next = this.peek(1);
    if (next === "(") {
      if (this.peek(2) === "(") throw new Unsupported("arithmetic expansion `$(( ))`");
      const bodyStart = this.i + 2;
      this.i = bodyStart;
      this.parseList(")");
      state.nested.push({ kind: "$( )", text: this.src.slice(bodyStart, this.i) });
      this.i++;
      state.expands = true;
    } else if (next === "{") {
      this.i = this.parameterExpansionEnd(this.i + 2);
      state.expands = true;
    } else if (next === "[") {
      throw new Unsupported("arithmetic expansion `$[ ]`");
    } else if (next === "'" && !inDouble) {
      // ANSI-C quoting: static, but decoding its escapes is not worth the risk of getting one wrong.
      let j = this.i + 2;
      while (j < this.src.length && this.src[j] !== "'") j += this.src[j] === "\\" ? 2 : 1;
      if (j >= this.src.length) throw new Unsupported("an unterminated $'…' string");
      this.i = j + 1;
      state.dynamic = true;
    } else if (next === '"' && !inDouble) {
      // A translated `$"…"` string is expanded again like "…", so its catalog could inject `$(…)`.
      this.i++;
      this.parseDoubleQuoted(state);
      state.expands = true;
    } else if (/[A-Za-z_]/.test(next)) {
      this.i += 2;
      while (/[A-Za-z0-9_]/.test(this.peek())) this.i++;
      state.expands = true;
    } else if (next !== "" && "0123456789@*#?$!-".includes(next)) {
      this.i += 2;
      state.expands = true;
    } else {
      state.value += "$";
      this.i++;
    }
  }

  /** Index just past the `}` closing a `${`; refuses substitutions inside, which it would have to recurse into. */
  private parameterExpansionEnd(from: number): number {
    let depth = 1;
    let j = from;
    while (j < this.src.length) {
      const c = this.src[j];
      if (c === "\\") j += 2;
      else if (c === "'") {
        const close = this.src.indexOf("'", j + 1);
        if (close < 0) break;
        j = close + 1;
      } else if (c === "`" || (c === "$" && this.src[j + 1] === "(") || ((c === "<" || c === ">") && this.src[j + 1] === "(")) {
        throw new Unsupported("a command substitution inside `${ }`");
      } else if (c === "$" && this.src[j + 1] === "{") {
        depth++;
        j += 2;
      } else if (c === "}") {
        depth--;
        j++;
        if (depth === 0) return j;
      } else j++;
    }
    throw new Unsupported("an unterminated `${`");
  }
}

interface WordState {
  value: string;
  /** Globs, braces, tildes, `$'…'`: changed at run time, but running nothing. */
  dynamic: boolean;
  expands: boolean;
  nested: NestedScript[];
}

function redirectKind(op: string, target: PWord): RedirectKind {
  if (op === ">&" || op === "<&") {
    if (target.value !== null && /^([0-9]+-?|-)$/.test(target.value)) return "fd";
    return op === ">&" ? "write" : "read";
  }
  return WRITE_OPS.has(op) ? "write" : "read";
}
