// UI benchmark: streaming render cost and opening a long conversation, in Chromium.
// Usage: node scripts/bench-ui.mjs [--tokens 20000] [--rate 100] [--messages 2000] [--no-build]
// (a) renderer-only harness (dist/bench-ui), (b) the real headless host; see e2e/bench-ui.ts.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "vite";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "20000" },
    rate: { type: "string", default: "100" },
    messages: { type: "string", default: "2000" },
    "no-build": { type: "boolean", default: false },
  },
});

if (!values["no-build"]) {
  const built = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
// The harness is a second Vite entry, built here only: it never ships in dist/renderer.
await build({
  configFile: `${root}renderer/vite.config.ts`,
  logLevel: "warn",
  build: {
    outDir: `${root}dist/bench-ui`,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: `${root}renderer/bench-stream.html` },
  },
});

const out = join(tmpdir(), `m2d-bench-ui-${process.pid}.json`);
const loadBefore = loadavg()[0];
rmSync(out, { force: true });
const run = spawnSync(process.execPath, [`${root}node_modules/@playwright/test/cli.js`, "test", "-c", "e2e/bench-ui.config.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, M2D_BENCH_OUT: out, M2D_BENCH_TOKENS: values.tokens, M2D_BENCH_RATE: values.rate, M2D_BENCH_MESSAGES: values.messages },
});
if (!existsSync(out)) process.exit(run.status ?? 1);

const r = JSON.parse(readFileSync(out, "utf8"));
const [load1] = loadavg();
// Other work on the machine shows up as long tasks too: say how busy it was.
console.log(`\nMachine: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), 1-min load average ${loadBefore.toFixed(1)} before, ${load1.toFixed(1)} after`);
const ms = (n) => `${Number(n).toFixed(1)} ms`;
const rows = [];
if (r.stream) {
  const s = r.stream;
  rows.push(
    ["(a) stream", `tokens streamed (at ${s.rate} tok/s)`, `${s.tokens} in ${s.seconds.toFixed(1)} s`, ""],
    ["(a) stream", "main-thread long tasks > 50 ms", String(s.longTasks.count), "0"],
    ["(a) stream", "long tasks: total / longest", `${s.longTasks.totalMs} ms / ${s.longTasks.maxMs} ms`, ""],
    ["(a) stream", "frame time p50 / p95 / p99", `${ms(s.frames.p50)} / ${ms(s.frames.p95)} / ${ms(s.frames.p99)}`, "p95 ≤ 16.7 ms"],
    ["(a) stream", "longest frame", ms(s.frames.max), ""],
    ["(a) stream", "final message settles (stored copy)", ms(s.settleMs), ""],
    ["(a) stream", "markdown blocks rendered", String(s.blocks), ""],
  );
}
if (r.open) {
  const o = r.open;
  rows.push(
    ["(b) open", `conversation (${o.messages} messages, ${(o.jsonBytes / 1e6).toFixed(1)} MB JSON)`, `imported in ${o.importMs} ms`, ""],
    ["(b) open", "cold: fresh page, sidebar click → list painted (median)", `${o.coldMs.median} ms (runs: ${o.coldMs.runs.join(", ")})`, "< 300 ms"],
    ["(b) open", "  of which chat.get round trip (last cold run)", `${o.coldChatGetMs} ms`, ""],
    ["(b) open", "warm: reopened in the same page (median)", `${o.warmMs.median} ms (runs: ${o.warmMs.runs.join(", ")})`, "< 300 ms"],
    ["(b) open", "page reload → list painted", `${o.reloadToPaintMs} ms`, ""],
    ["(b) open", "long tasks during warm opens (count / longest)", `${o.longTasks.count} / ${o.longTasks.maxMs} ms`, ""],
    ["(b) open", "message rows in the DOM", String(o.renderedRows), ""],
  );
}
const widths = [0, 1, 2, 3].map((i) => Math.max(...[["part", "metric", "value", "target"], ...rows].map((row) => row[i].length)));
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\n${line(["part", "metric", "value", "target"])}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
process.exit(run.status ?? 0);
