// npm run bench:engine — the app's engine vs llama.cpp's llama-bench on the same model and threads.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import type { GenerationEvent } from "../../app/contract";
import type { ChatMessage } from "../../app/m2/types";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { startEngineHarness } from "../../testing/engine-harness";
import { ensureLlamaBench } from "./llama-bench";

const ROOT = process.env.M2D_ROOT ?? process.cwd();

const THREADS = Number(process.env.BENCH_THREADS ?? Math.min(cpus().length, 8));
const PROMPT_TOKENS = 512;
const GEN_TOKENS = 128;
const REPS = Number(process.env.BENCH_REPS ?? 3);

interface Rates { prefill: number; decode: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function llamaBench(binary: string, model: string, reps: number): Rates {
  const out = execFileSync(binary, ["-m", model, "-p", String(PROMPT_TOKENS), "-n", String(GEN_TOKENS), "-t", String(THREADS), "-r", String(reps), "-o", "json"], { encoding: "utf8", maxBuffer: 16 << 20 });
  const rows = JSON.parse(out) as Array<{ n_prompt: number; n_gen: number; avg_ts: number }>;
  const find = (p: number, g: number) => rows.find((r) => r.n_prompt === p && r.n_gen === g)?.avg_ts ?? NaN;
  return { prefill: find(PROMPT_TOKENS, 0), decode: find(0, GEN_TOKENS) };
}

/** Distinct filler so no two prompts share a prefix past the template's header. */
function filler(seed: number, words: number): string {
  let x = seed * 2654435761;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(((x >>> 8) % 100_000).toString(36));
  }
  return out.join(" ");
}

function statsOf(events: GenerationEvent[]) {
  const stats = events.find((e) => e.type === "stats");
  if (stats?.type !== "stats") throw new Error("no stats event");
  return stats.stats;
}

async function main(): Promise<void> {
  const model = await ensureTestModel("bench");
  const binary = ensureLlamaBench(ROOT);

  const engine = startEngineHarness();
  await engine.models.load(model, { gpu: "cpu", contextSize: 4096, threads: THREADS });

  // Calibrate the filler so a prompt is ~512 tokens under this model's tokenizer.
  const tokensFor = async (words: number, seed: number) =>
    (await engine.engine.request({ op: "renderPrompt", request: { messages: [{ role: "user", content: filler(seed, words) }], sampling: { temperature: 1, topP: 0.95, topK: 40 } } })).tokens;
  const probe = await tokensFor(100, 1);
  const words = Math.max(1, Math.round((100 * PROMPT_TOKENS) / probe));

  // Rounds alternate the two engines, so load from the shared machine hits both alike.
  const rounds: Array<{ app: Rates; ref: Rates }> = [];
  for (let rep = 0; rep < REPS; rep++) {
    const pre = statsOf(await engine.generate(`prefill-${rep}`, { messages: [{ role: "user", content: filler(rep + 100, words) }], sampling: { maxTokens: 1 } }));
    if (rep === 0) console.error(`prefill prompt: ${pre.evaluatedTokens} tokens evaluated`);
    let decode = NaN;
    for (let attempt = 0; attempt < 4 && Number.isNaN(decode); attempt++) {
      const s = statsOf(await engine.generate(`decode-${rep}-${attempt}`, { messages: [{ role: "user", content: filler(rep * 10 + attempt + 500, 4) }], sampling: { maxTokens: GEN_TOKENS, seed: rep * 10 + attempt } }));
      if (s.generatedTokens >= GEN_TOKENS * 0.9) decode = s.decodeTokensPerSecond; // EOS came early: retry
    }
    rounds.push({ app: { prefill: pre.prefillTokensPerSecond, decode }, ref: llamaBench(binary, model, 1) });
  }

  // KV reuse in a 10-step agent loop: each step re-sends the whole conversation.
  const messages: ChatMessage[] = [{ role: "user", content: "Refactor the project step by step." }];
  const steps: Array<{ step: number; prompt: number; evaluated: number; reused: number }> = [];
  for (let step = 1; step <= 10; step++) {
    const events = await engine.generate(`agent-${step}`, { messages, sampling: { maxTokens: 16, seed: step } });
    const s = statsOf(events);
    steps.push({ step, prompt: s.promptTokens, evaluated: s.evaluatedTokens, reused: s.reusedTokens });
    const text = events.map((e) => (e.type === "reasoning_delta" || e.type === "content_delta" ? e.text : "")).join("");
    messages.push(
      { role: "assistant", content: "", reasoning_content: `Step ${step}: ${text.slice(0, 200)}`, tool_calls: [{ id: `c${step}`, type: "function", function: { name: "run_command", arguments: { command: `npm test -- --step ${step}` } } }] },
      { role: "tool", tool_call_id: `c${step}`, content: `step ${step} output: ${filler(step + 900, 30)}` },
    );
  }
  await engine.stop();

  const reference: Rates = { prefill: median(rounds.map((r) => r.ref.prefill)), decode: median(rounds.map((r) => r.ref.decode)) };
  const app: Rates = { prefill: median(rounds.map((r) => r.app.prefill)), decode: median(rounds.map((r) => r.app.decode)) };
  const ratio = (k: keyof Rates) => median(rounds.map((r) => r.app[k] / r.ref[k]));
  const fmt = (n: number) => n.toFixed(1).padStart(8);
  console.log(`\nbench:engine — ${model.split("/").pop()} · ${THREADS} threads · pp${PROMPT_TOKENS} / tg${GEN_TOKENS} · median of ${REPS} alternating rounds (ratio = median of per-round ratios)\n`);
  console.log(`| metric          | llama-bench | M2 Desktop engine | ratio |`);
  console.log(`| --------------- | ----------- | ----------------- | ----- |`);
  console.log(`| prefill tok/s   | ${fmt(reference.prefill)}    | ${fmt(app.prefill)}          | ${ratio("prefill").toFixed(2)}  |`);
  console.log(`| decode tok/s    | ${fmt(reference.decode)}    | ${fmt(app.decode)}          | ${ratio("decode").toFixed(2)}  |`);
  console.log(`\nKV reuse, 10-step agent loop (tokens evaluated per step vs a cold start of the same prompt):\n`);
  console.log(`| step | prompt tokens | evaluated | reused | evaluated / cold |`);
  console.log(`| ---- | ------------- | --------- | ------ | ---------------- |`);
  for (const s of steps) console.log(`| ${String(s.step).padStart(4)} | ${String(s.prompt).padStart(13)} | ${String(s.evaluated).padStart(9)} | ${String(s.reused).padStart(6)} | ${(s.evaluated / s.prompt).toFixed(3).padStart(16)} |`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
