import { AppError } from "../../app/contract";
import { agentCommand } from "./agent-command";
import { inspectCommand } from "./inspect-command";
import { parseCommand } from "./parse-command";
import { planCommand } from "./plan-command";
import { runCommand } from "./run-command";
import { promptCommand } from "./prompt-command";
import { pullCommand } from "./pull-command";
import { modelsCommand, rmCommand } from "./models-command";
import { serveCommand } from "./serve";
import { doctorCommand } from "./doctor-command";

const commands: Record<string, { summary: string; run: (argv: string[]) => Promise<void> }> = {
  serve: { summary: "serve the UI headless at http://127.0.0.1:<port>/?token=…  [--port N] [--host 127.0.0.1] [--data-dir DIR] [--open] [--api] [--api-port N] [--api-key KEY] [--model PATH] [--ctx N]", run: serveCommand },
  run: { summary: 'load a GGUF and stream one answer: reasoning dimmed, then the answer  <model.gguf> "prompt" [--json]', run: runCommand },
  inspect: { summary: "validate a GGUF and print its report  <model.gguf> [--json]", run: inspectCommand },
  plan: { summary: "plan GPU/CPU placement (expert offload) for a GGUF  <model.gguf> [--ctx N] [--vram GiB] [--ram GiB]", run: planCommand },
  agent: { summary: 'run the agent on a folder  --workspace DIR --model MODEL [--mode ask|auto-edit|full-auto|read-only] [--max-steps N] [--json] "task"', run: agentCommand },
  pull: { summary: "download, verify and add a model to the library (run again to resume)  hf:owner/repo[:QUANT] | URL [--dir DIR]", run: pullCommand },
  models: { summary: "list the model library  [--data-dir DIR]", run: modelsCommand },
  rm: { summary: "delete a library model's files  <owner/repo[:QUANT] | path>", run: rmCommand },
  doctor: { summary: "print versions, machine, compute backend, paths and recent errors (no app or model needed)  [--data-dir DIR] [--no-engine]", run: doctorCommand },
  prompt: { summary: "read {messages, tools} (OpenAI format + reasoning_content) on stdin; print the exact M2 prompt", run: promptCommand },
  parse: { summary: "read raw model output on stdin; print {reasoning, content, tool_calls} as JSON  [--tools tools.json]", run: parseCommand },
};

function usage(): string {
  return ["Usage: m2d <command> [options]", "", ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)].join("\n");
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await command.run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // node:util parseArgs reports bad flags as ERR_PARSE_ARGS_*: a usage error, not a crash.
  const isUsage = typeof (error as { code?: unknown })?.code === "string" && (error as { code: string }).code.startsWith("ERR_PARSE_ARGS");
  const appError = isUsage ? new AppError("bad_request", (error as Error).message) : AppError.from(error);
  console.error(`m2d: ${appError.message}`);
  process.exitCode = appError.code === "bad_request" ? 2 : 1;
});
