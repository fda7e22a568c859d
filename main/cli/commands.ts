import { agentCommand, agentSpec } from "./agent-command";
import type { CommandSpec } from "./command-spec";
import { doctorCommand, doctorSpec } from "./doctor-command";
import { inspectCommand, inspectSpec } from "./inspect-command";
import { modelsCommand, modelsSpec, rmCommand, rmSpec } from "./models-command";
import { parseCommand, parseSpec } from "./parse-command";
import { planCommand, planSpec } from "./plan-command";
import { promptCommand, promptSpec } from "./prompt-command";
import { pullCommand, pullSpec } from "./pull-command";
import { runCommand, runSpec } from "./run-command";
import { serveCommand } from "./serve";
import { serveSpec } from "./serve-spec";

export interface Command {
  spec: CommandSpec;
  run: (argv: string[]) => Promise<void>;
}

/** Every `m2d` command, in the order `m2d help` lists them: its option table (parsing and help) and what it does. */
export const COMMANDS: readonly Command[] = [
  { spec: runSpec, run: runCommand },
  { spec: agentSpec, run: agentCommand },
  { spec: serveSpec, run: serveCommand },
  { spec: modelsSpec, run: modelsCommand },
  { spec: pullSpec, run: pullCommand },
  { spec: rmSpec, run: rmCommand },
  { spec: inspectSpec, run: inspectCommand },
  { spec: planSpec, run: planCommand },
  { spec: doctorSpec, run: doctorCommand },
  { spec: promptSpec, run: promptCommand },
  { spec: parseSpec, run: parseCommand },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.spec.name === name);
}

/** `m2d help`: every command with its usage and one line on what it does. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    "Usage: m2d <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    "",
    "m2d <command> --help shows a command's options; m2d --version prints the version.",
    "A <model> is a GGUF file or a library name (owner/repo:QUANT, as m2d models lists them).",
  ].join("\n");
}
