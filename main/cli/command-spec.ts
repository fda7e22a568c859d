import { parseArgs } from "node:util";
import { AppError } from "../../app/contract";

/** One flag of a command: what parseArgs reads, and what its help says (the same table, so help cannot miss a flag). */
export type OptionSpec = (
  | {
      type: "string";
      default?: string;
      /** The value's placeholder in the help: `N`, `DIR`, `ask|auto-edit|…`. */
      value?: string;
    }
  | { type: "boolean"; default?: boolean }
) & {
  short?: string;
  /** One line for `m2d <command> --help`. */
  help: string;
};

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionTable = OptionTable> {
  name: string;
  /** One line for `m2d help`. */
  summary: string;
  /** What follows the flags, e.g. `<model> ["prompt" | -]`; empty for a command that takes none. */
  positionals: string;
  /** Paragraphs after the usage line in `m2d <command> --help`. */
  details?: string;
  options: O;
}

/** Declares a command; `const` keeps each option's literal type, so parseCommandArgs types its values. */
export function defineCommand<const O extends OptionTable>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** parseArgs over the command's own option table: an unknown flag or a stray argument is a usage error. */
export function parseCommandArgs<const O extends OptionTable>(spec: CommandSpec<O>, argv: string[]) {
  const parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
  if (spec.positionals === "" && parsed.positionals.length > 0) {
    throw new AppError("bad_request", `m2d ${spec.name} takes no arguments, got "${parsed.positionals[0]}". See m2d ${spec.name} --help.`);
  }
  return parsed;
}

/** True when argv asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

function flagLabel(name: string, option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : "";
  const value = option.type === "string" ? ` ${option.value ?? "VALUE"}` : "";
  return `${short}--${name}${value}`;
}

function defaultNote(option: OptionSpec): string {
  const d = option.default;
  return d === undefined || d === false ? "" : ` (default: ${String(d)})`;
}

/** The usage line: `m2d run [options] <model> ["prompt" | -]`. */
export function usageLine(spec: CommandSpec): string {
  return `m2d ${spec.name}${Object.keys(spec.options).length > 0 ? " [options]" : ""}${spec.positionals ? ` ${spec.positionals}` : ""}`;
}

/** `m2d <command> --help`: usage, details, then every option of the table with its help. */
export function commandHelp(spec: CommandSpec): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([name, option]) => [flagLabel(name, option), `${option.help}${defaultNote(option)}`]);
  rows.push(["-h, --help", "show this help"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Usage: ${usageLine(spec)}`,
    "",
    spec.summary,
    ...(spec.details ? ["", spec.details] : []),
    "",
    "Options:",
    ...rows.map(([label, help]) => `  ${label.padEnd(width)}  ${help}`),
  ].join("\n");
}
