// node-llama-cpp alone (no engine process, no app) decoding the bench model, for attributing bench:engine's gap:
// llama-bench → node-llama-cpp's binaries → the app's engine. It splits each token's wall time into the time
// llama_decode took (llama.cpp's own perf counter) and the rest (sampling, the two thread hops, JS).
//   UV_THREADPOOL_SIZE=1 node scripts/bench/node-llama-cpp-direct.mjs <threads> [sample|greedy]
// (run npm run bench:engine once first: it generates the model.)
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { readdirSync } from "node:fs";

const threads = Number(process.argv[2] ?? 1);
const mode = process.argv[3] ?? "sample";
const contextSize = Number(process.env.CTX ?? 4096);
let perfLine = "";
const llama = await getLlama({
  gpu: false,
  logLevel: LlamaLogLevel.info,
  logger: (_level, message) => {
    if (/^llama_perf_context_print:\s+eval time/.test(message)) perfLine = message;
  },
});
const modelPath = process.env.BENCH_MODEL ?? readdirSync(".cache/models").filter((f) => f.startsWith("m2-bench-")).map((f) => `.cache/models/${f}`)[0];
const model = await llama.loadModel({ modelPath });
const ctx = await model.createContext({ contextSize, sequences: 1, threads, performanceTracking: true });
const seq = ctx.getSequence();
const prompt = model.tokenize("hello world, this is a test of decode speed");

/** Generates n tokens after the first; returns the wall milliseconds they took. */
async function run(n, seed) {
  await seq.clearHistory();
  let count = 0;
  let t0 = 0;
  const opts = mode === "greedy" ? { temperature: 0 } : { temperature: 1, topK: 40, topP: 0.95, seed };
  for await (const _token of seq.evaluate(prompt, opts)) {
    if (count === 0) t0 = performance.now();
    if (++count > n) break;
  }
  return performance.now() - t0;
}

await run(16, 1);
const rounds = Number(process.env.ROUNDS ?? 5);
const wall = [];
for (let i = 0; i < rounds; i++) wall.push((await run(128, i + 2)) / 128);
await ctx.printTimings();
// llama.cpp counts every decode of one token since the context was made (warm-up included).
const match = /eval time =\s+([\d.]+) ms \/\s+(\d+) runs/.exec(perfLine);
if (match == null) {
  console.error("node-llama-cpp-direct: llama.cpp printed no 'eval time' line, so the time in llama_decode is unknown");
  process.exit(1);
}
const decodeMs = Number(match[1]) / Number(match[2]);
const wallMs = wall.reduce((a, b) => a + b, 0) / wall.length;
wall.sort((a, b) => a - b);
console.log(
  `raw node-llama-cpp threads=${threads} mode=${mode} ctx=${contextSize}: median ${(1000 / wall[Math.floor(rounds / 2)]).toFixed(1)} tok/s · ` +
    `per token ${wallMs.toFixed(2)} ms wall = ${decodeMs.toFixed(2)} ms in llama_decode + ${(wallMs - decodeMs).toFixed(2)} ms outside it`,
);
process.exit(0);
