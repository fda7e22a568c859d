// npm run bench:engine — the app vs llama.cpp's llama-bench on the same model, at 2 threads and 1 thread.
// "app" rates are timed where the app sees them: events arriving at the host, through the supervisor and
// the generation service. BENCH_QUICK=1 runs fewer, shorter rounds; BENCH_THREADS=2,1 picks thread counts.
import { execFileSync } from "node:child_process";
import type { GenerationEvent } from "../../app/contract";
import type { ChatMessage } from "../../app/m2/types";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { startEngineHarness } from "../../testing/engine-harness";
import { ensureLlamaBench } from "./llama-bench";

const ROOT = process.env.M2D_ROOT ?? process.cwd();
const QUICK = process.env.BENCH_QUICK === "1";
const THREAD_COUNTS = (process.env.BENCH_THREADS ?? "2,1").split(",").map(Number);
const PROMPT_TOKENS = 512;
const GEN_TOKENS = QUICK ? 64 : 128;
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 3 : 5));

interface Rates { prefill: number; decode: number }
interface Round { app: Rates; engine: Rates; ref: Rates }
type Harness = ReturnType<typeof startEngineHarness>;

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function llamaBench(binary: string, model: string, threads: number): Rates {
  const out = execFileSync(binary, ["-m", model, "-p", String(PROMPT_TOKENS), "-n", String(GEN_TOKENS), "-t", String(threads), "-r", "1", "-o", "json"], { encoding: "utf8", maxBuffer: 16 << 20 });
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

const isText = (e: GenerationEvent) => e.type === "reasoning_delta" || e.type === "content_delta";

/** One generation timed at the host: when it was asked for, when its first and last text arrived, when `done` did. */
async function timedGenerate(engine: Harness, id: string, messages: ChatMessage[], maxTokens: number, seed: number) {
  const startedAt = performance.now();
  let firstEventAt = NaN;
  let firstTextAt = NaN;
  let doneAt = NaN;
  const events = await engine.generate(id, { messages, sampling: { maxTokens, seed } }, (event) => {
    const now = performance.now();
    if (Number.isNaN(firstEventAt)) firstEventAt = now;
    if (Number.isNaN(firstTextAt) && isText(event)) firstTextAt = now;
    if (event.type === "done") doneAt = now;
  });
  return { events, stats: statsOf(events), startedAt, firstEventAt, firstTextAt, doneAt };
}

async function measure(engine: Harness, binary: string, model: string, threads: number, words: number): Promise<Round[]> {
  await engine.models.load(model, { gpu: "cpu", contextSize: 4096, threads });
  const rounds: Round[] = [];
  // Rounds alternate the app and llama-bench, so load from a shared machine hits both alike.
  for (let rep = 0; rep < REPS; rep++) {
    // Prefill at the host: request sent → first event back (renders, tokenizes, evaluates, samples one token).
    const pre = await timedGenerate(engine, `prefill-${threads}-${rep}`, [{ role: "user", content: filler(rep + 100, words) }], 1, rep);
    let decode = { app: NaN, engine: NaN };
    for (let attempt = 0; attempt < 4 && Number.isNaN(decode.app); attempt++) {
      const run = await timedGenerate(engine, `decode-${threads}-${rep}-${attempt}`, [{ role: "user", content: filler(rep * 10 + attempt + 500, 4) }], GEN_TOKENS, rep * 10 + attempt);
      if (run.stats.generatedTokens < GEN_TOKENS * 0.9) continue; // EOS came early: retry
      // Decode at the host: tokens after the first, from the first text's arrival to `done`'s.
      decode = { app: ((run.stats.generatedTokens - 1) * 1000) / (run.doneAt - run.firstTextAt), engine: run.stats.decodeTokensPerSecond };
    }
    const round: Round = {
      app: { prefill: (pre.stats.evaluatedTokens * 1000) / (pre.firstEventAt - pre.startedAt), decode: decode.app },
      engine: { prefill: pre.stats.prefillTokensPerSecond, decode: decode.engine },
      ref: llamaBench(binary, model, threads),
    };
    rounds.push(round);
    const pair = (phase: keyof Rates) => `${phase} app ${round.app[phase].toFixed(1)} / llama-bench ${round.ref[phase].toFixed(1)}`;
    console.error(`${threads} threads, round ${rep + 1}/${REPS}: ${pair("prefill")} · ${pair("decode")}`);
  }
  return rounds;
}

/** KV reuse in a 10-step agent loop: each step re-sends the whole conversation. */
async function kvReuse(engine: Harness) {
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
  return steps;
}

async function main(): Promise<void> {
  const model = await ensureTestModel("bench");
  const binary = ensureLlamaBench(ROOT);
  const engine = startEngineHarness();
  await engine.models.load(model, { gpu: "cpu", contextSize: 4096, threads: THREAD_COUNTS[0] ?? 1 });

  // Calibrate the filler so a prompt is ~512 tokens under this model's tokenizer.
  const probe = (await engine.engine.request({ op: "renderPrompt", request: { messages: [{ role: "user", content: filler(1, 100) }], sampling: { temperature: 1, topP: 0.95, topK: 40 } } })).tokens;
  const words = Math.max(1, Math.round((100 * PROMPT_TOKENS) / probe));

  const results = new Map<number, Round[]>();
  for (const threads of THREAD_COUNTS) results.set(threads, await measure(engine, binary, model, threads, words));
  const steps = QUICK ? [] : await kvReuse(engine);
  await engine.stop();

  const fmt = (n: number, width: number) => (Number.isNaN(n) ? "n/a" : n.toFixed(1)).padStart(width);
  console.log(`\nbench:engine — ${model.split("/").pop()} · pp${PROMPT_TOKENS} / tg${GEN_TOKENS} · median of ${REPS} alternating rounds${QUICK ? " (quick)" : ""}`);
  console.log(`app = timed at the host (events through the supervisor); engine = the engine's own stats; ratio = median of per-round app / llama-bench\n`);
  console.log(`| threads | phase   | llama-bench tok/s | app tok/s | ratio | engine tok/s |`);
  console.log(`| ------- | ------- | ----------------- | --------- | ----- | ------------ |`);
  for (const [threads, rounds] of results) {
    for (const phase of ["prefill", "decode"] as const) {
      const ref = median(rounds.map((r) => r.ref[phase]));
      const app = median(rounds.map((r) => r.app[phase]));
      const ratio = median(rounds.map((r) => r.app[phase] / r.ref[phase]));
      const inner = median(rounds.map((r) => r.engine[phase]));
      console.log(`| ${String(threads).padStart(7)} | ${phase.padEnd(7)} | ${fmt(ref, 17)} | ${fmt(app, 9)} | ${ratio.toFixed(2).padStart(5)} | ${fmt(inner, 12)} |`);
    }
  }
  if (steps.length === 0) return;
  console.log(`\nKV reuse, 10-step agent loop (tokens evaluated per step vs a cold start of the same prompt):\n`);
  console.log(`| step | prompt tokens | evaluated | reused | evaluated / cold |`);
  console.log(`| ---- | ------------- | --------- | ------ | ---------------- |`);
  for (const s of steps) console.log(`| ${String(s.step).padStart(4)} | ${String(s.prompt).padStart(13)} | ${String(s.evaluated).padStart(9)} | ${String(s.reused).padStart(6)} | ${(s.evaluated / s.prompt).toFixed(3).padStart(16)} |`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
