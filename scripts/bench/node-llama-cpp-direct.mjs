// node-llama-cpp alone (no engine process, no app) decoding the bench model, for attributing bench:engine's gap:
// llama-bench → node-llama-cpp's prebuilt binaries → the app's engine.
//   UV_THREADPOOL_SIZE=1 node scripts/bench/node-llama-cpp-direct.mjs <threads> [sample|greedy]
// (run npm run bench:engine once first: it generates the model.)
import { getLlama } from "node-llama-cpp";
const threads = Number(process.argv[2] ?? 1);
const mode = process.argv[3] ?? "sample";
const llama = await getLlama({ gpu: false });
const model = await llama.loadModel({ modelPath: process.env.BENCH_MODEL ?? (await import("node:fs")).readdirSync(".cache/models").filter((f) => f.startsWith("m2-bench-")).map((f) => `.cache/models/${f}`)[0] });
const ctx = await model.createContext({ contextSize: Number(process.env.CTX ?? 4096), sequences: 1, threads });
const seq = ctx.getSequence();
const prompt = model.tokenize("hello world, this is a test of decode speed");
async function run(n, seed) {
  await seq.clearHistory();
  let count = 0, t0 = 0;
  const opts = mode === "greedy" ? { temperature: 0 } : { temperature: 1, topK: 40, topP: 0.95, seed };
  for await (const _token of seq.evaluate(prompt, opts)) {
    if (count === 0) t0 = performance.now();
    if (++count > n) break;
  }
  return (n) / ((performance.now() - t0) / 1000);
}
await run(16, 1);
const rates = [];
for (let i = 0; i < 5; i++) rates.push(await run(128, i + 2));
rates.sort((a, b) => a - b);
console.log(`raw node-llama-cpp threads=${threads} mode=${mode} ctx=${process.env.CTX ?? 4096}: median ${rates[2].toFixed(1)} tok/s (${rates.map((r) => r.toFixed(1)).join(" ")})`);
process.exit(0);
