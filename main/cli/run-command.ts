import { randomUUID } from "node:crypto";
import { AppError, GpuChoiceSchema, SamplingSchema, ThinkingModeSchema, type GenerationEvent } from "../../app/contract";
import { familyThinking } from "../../app/family";
import { defaultDataDir } from "../paths";
import { answerPrinter, parseReasoningMode } from "./answer-printer";
import { defineCommand, parseCommandArgs, usageLine } from "./command-spec";
import { withEngine } from "./engine-session";
import { resolveModelArg } from "./library-names";
import { readStdin } from "./stdin";
import { stylerFor } from "./terminal";

export const runSpec = defineCommand({
  name: "run",
  summary: "load a model and stream one answer: the answer alone on stdout, the reasoning on stderr",
  positionals: '<model> ["prompt" | -]',
  details: [
    "<model> is a GGUF file or a library name (owner/repo:QUANT, see m2d models).",
    'With no prompt, or "-", the prompt is read from stdin: echo "Hi" | m2d run owner/repo:Q4_K_M',
    "Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.",
  ].join("\n"),
  options: {
    reasoning: { type: "string", default: "stderr", value: "stderr|show|hide", help: "where the reasoning goes: stderr, inline on stdout (show), or nowhere" },
    json: { type: "boolean", default: false, help: "print every generation event as a JSON line on stdout instead" },
    system: { type: "string", value: "TEXT", help: "system prompt" },
    thinking: {
      type: "string",
      value: ThinkingModeSchema.options.join("|"),
      help: "thinking mode, for models that have one (MiniMax-M3): always reason, let the model decide, or answer directly",
    },
    temp: { type: "string", value: "T", help: "sampling temperature (the model's default if not set)" },
    temperature: { type: "string", value: "T", help: "the same as --temp" },
    "top-p": { type: "string", value: "P", help: "nucleus sampling: keep the tokens that make up probability P" },
    "top-k": { type: "string", value: "K", help: "sample from the K most likely tokens" },
    "max-tokens": { type: "string", value: "N", help: "stop after N generated tokens" },
    seed: { type: "string", value: "N", help: "random seed, for repeatable answers" },
    ctx: { type: "string", value: "N", help: "context size in tokens (default: the app's choice for this model)" },
    gpu: { type: "string", default: "auto", value: GpuChoiceSchema.options.join("|"), help: "compute backend" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder whose library names resolve (default: the app's, or $M2D_DATA_DIR)" },
  },
});

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new AppError("bad_request", `--${name} must be a number, got "${value}".`);
  return n;
}

/** The prompt argument, or stdin when it is missing or "-". */
async function promptText(argument: string | undefined): Promise<string> {
  if (argument !== undefined && argument !== "-") return argument;
  if (process.stdin.isTTY) throw new AppError("bad_request", `No prompt: give one after the model, or pipe it on stdin. Usage: ${usageLine(runSpec)}`);
  const text = (await readStdin()).replace(/\r?\n$/, "");
  if (text.trim() === "") throw new AppError("bad_request", "No prompt: stdin was empty.");
  return text;
}

/** `m2d run <model> "prompt"`: the answer on stdout, the reasoning on stderr (or as --reasoning says); `--json` prints the events. */
export async function runCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(runSpec, argv);
  const [model, promptArgument, ...extra] = positionals;
  if (!model || extra.length > 0) throw new AppError("bad_request", `Usage: ${usageLine(runSpec)} (quote a prompt of several words)`);
  const gpu = GpuChoiceSchema.safeParse(values.gpu);
  if (!gpu.success) throw new AppError("bad_request", `--gpu must be one of ${GpuChoiceSchema.options.join(", ")}.`);
  const reasoning = parseReasoningMode(values.reasoning);
  const thinking = values.thinking === undefined ? undefined : ThinkingModeSchema.safeParse(values.thinking);
  if (thinking && !thinking.success) throw new AppError("bad_request", `--thinking must be one of ${ThinkingModeSchema.options.join(", ")}.`);
  if (values.temp !== undefined && values.temperature !== undefined) throw new AppError("bad_request", "Give --temp or --temperature, not both.");
  const contextSize = numberFlag(values.ctx, "ctx");
  const sampling = SamplingSchema.safeParse(
    Object.fromEntries(
      Object.entries({
        maxTokens: numberFlag(values["max-tokens"], "max-tokens"),
        temperature: numberFlag(values.temp ?? values.temperature, values.temp !== undefined ? "temp" : "temperature"),
        topP: numberFlag(values["top-p"], "top-p"),
        topK: numberFlag(values["top-k"], "top-k"),
        seed: numberFlag(values.seed, "seed"),
      }).filter(([, v]) => v !== undefined),
    ),
  );
  if (!sampling.success) throw new AppError("bad_request", `Invalid sampling flags: ${sampling.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  // All input is checked before the model loads: a bad flag or an empty stdin costs no load.
  const path = resolveModelArg(model, values["data-dir"] ?? defaultDataDir());
  const prompt = await promptText(promptArgument);
  const note = stylerFor(process.stderr).dim;

  const code = await withEngine(async ({ models, generations }, events) => {
    const loaded = await models.load(path, { gpu: gpu.data, ...(contextSize ? { contextSize } : {}) });
    if (!values.json) console.error(note(`${loaded.report.architecture} ${loaded.report.quantization} · ${loaded.backend.backend} · context ${loaded.contextSize}`));
    if (thinking && !familyThinking(loaded.report.family) && !values.json) console.error(note(`${loaded.report.familyName} has no thinking modes: --thinking is ignored.`));

    const generationId = randomUUID();
    const printer = answerPrinter(reasoning);
    const done = new Promise<GenerationEvent & { type: "done" }>((resolve) => {
      events.subscribe((event) => {
        if (event.type !== "generation.event" || event.generationId !== generationId) return;
        const e = event.event;
        if (values.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else if (e.type === "reasoning_delta") printer.reasoning(e.text);
        else if (e.type === "content_delta") printer.content(e.text);
        else if (e.type === "tool_call_completed") {
          printer.endLine();
          printer.content(`[tool call] ${e.name}(${JSON.stringify(e.arguments)})${e.error ? ` — ${e.error.message}` : ""}\n`);
        } else if (e.type === "stats") {
          const s = e.stats;
          printer.endLine();
          console.error(note(`${s.promptTokens} prompt tokens (${s.reusedTokens} reused) · TTFT ${s.ttftMs.toFixed(0)} ms · prefill ${s.prefillTokensPerSecond.toFixed(1)} tok/s · decode ${s.decodeTokensPerSecond.toFixed(1)} tok/s`));
        }
        if (e.type === "done") resolve(e);
      });
    });
    process.once("SIGINT", () => void generations.abort(generationId));
    await generations.start(generationId, {
      messages: [...(values.system ? [{ role: "system" as const, content: values.system }] : []), { role: "user" as const, content: prompt }],
      ...(thinking ? { thinking: thinking.data } : {}),
      sampling: sampling.data,
    });
    const end = await done;
    if (!values.json) printer.endLine();
    if (end.error) console.error(`m2d: ${end.error.message}`);
    return end.finish_reason === "error" ? 1 : 0;
  });
  process.exitCode = code;
}
