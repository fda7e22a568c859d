import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { AppError, GpuChoiceSchema, SamplingSchema, type GenerationEvent } from "../../app/contract";
import { withEngine } from "./engine-session";

const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new AppError("bad_request", `--${name} must be a number, got "${value}".`);
  return n;
}

/** `m2d run <model.gguf> "prompt"`: reasoning dimmed, the answer plain; `--json` prints the events. */
export async function runCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      system: { type: "string" },
      gpu: { type: "string", default: "auto" },
      ctx: { type: "string" },
      "max-tokens": { type: "string" },
      temperature: { type: "string" },
      "top-p": { type: "string" },
      "top-k": { type: "string" },
      seed: { type: "string" },
    },
  });
  const [path, prompt] = positionals;
  if (!path || prompt === undefined) throw new AppError("bad_request", 'Usage: m2d run <model.gguf> "prompt" [--json] [--gpu auto|cuda|vulkan|metal|cpu] [--ctx N] [--max-tokens N] [--seed N]');
  const gpu = GpuChoiceSchema.safeParse(values.gpu);
  if (!gpu.success) throw new AppError("bad_request", `--gpu must be one of ${GpuChoiceSchema.options.join(", ")}.`);
  const color = process.stdout.isTTY && !values.json;

  const code = await withEngine(async ({ models, generations }, events) => {
    const contextSize = numberFlag(values.ctx, "ctx");
    const loaded = await models.load(path, { gpu: gpu.data, ...(contextSize ? { contextSize } : {}) });
    if (!values.json) console.error(`${DIM}${loaded.report.architecture} ${loaded.report.quantization} · ${loaded.backend.backend} · context ${loaded.contextSize}${RESET}`);

    const sampling = SamplingSchema.safeParse(
      Object.fromEntries(
        Object.entries({
          maxTokens: numberFlag(values["max-tokens"], "max-tokens"),
          temperature: numberFlag(values.temperature, "temperature"),
          topP: numberFlag(values["top-p"], "top-p"),
          topK: numberFlag(values["top-k"], "top-k"),
          seed: numberFlag(values.seed, "seed"),
        }).filter(([, v]) => v !== undefined),
      ),
    );
    if (!sampling.success) throw new AppError("bad_request", `Invalid sampling flags: ${sampling.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
    const generationId = randomUUID();
    const done = new Promise<GenerationEvent & { type: "done" }>((resolve) => {
      let inReasoning = false;
      events.subscribe((event) => {
        if (event.type !== "generation.event" || event.generationId !== generationId) return;
        const e = event.event;
        if (values.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else if (e.type === "reasoning_delta") {
          if (!inReasoning && color) process.stdout.write(DIM);
          inReasoning = true;
          process.stdout.write(e.text);
        } else if (e.type === "content_delta") {
          if (inReasoning) process.stdout.write(color ? `${RESET}\n` : "\n");
          inReasoning = false;
          process.stdout.write(e.text);
        } else if (e.type === "tool_call_completed") {
          process.stdout.write(`\n[tool call] ${e.name}(${JSON.stringify(e.arguments)})${e.error ? ` — ${e.error.message}` : ""}\n`);
        } else if (e.type === "stats") {
          const s = e.stats;
          console.error(`\n${DIM}${s.promptTokens} prompt tokens (${s.reusedTokens} reused) · TTFT ${s.ttftMs.toFixed(0)} ms · prefill ${s.prefillTokensPerSecond.toFixed(1)} tok/s · decode ${s.decodeTokensPerSecond.toFixed(1)} tok/s${RESET}`);
        }
        if (e.type === "done") resolve(e);
      });
    });
    process.once("SIGINT", () => void generations.abort(generationId));
    await generations.start(generationId, {
      messages: [...(values.system ? [{ role: "system" as const, content: values.system }] : []), { role: "user" as const, content: prompt }],
      sampling: sampling.data,
    });
    const end = await done;
    if (!values.json) process.stdout.write("\n");
    if (end.error) console.error(`m2d: ${end.error.message}`);
    return end.finish_reason === "error" ? 1 : 0;
  });
  process.exitCode = code;
}
