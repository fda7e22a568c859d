// npm run bench:download — the app's downloader vs curl fetching the same file from the local Hub emulator.
// Usage: npm run bench:download -- [--mb 1024] [--rounds 5] [--connections 4] [--chunk-mb 32] [--profile]
// Bundles main/downloads/bench.ts (node cannot run TypeScript), runs it, prints a table and writes
// the figures to .cache/bench/download-<time>.json. --profile adds a V8 CPU profile of the
// downloader's process under .cache/bench/profiles/.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "1024" },
    rounds: { type: "string", default: "5" },
    connections: { type: "string" },
    "chunk-mb": { type: "string" },
    profile: { type: "boolean", default: false },
  },
});
const bytes = Math.round(Number(values.mb) * 1024 * 1024);
if (!(bytes > 0)) throw new Error(`--mb must be a positive number, got ${values.mb}`);

const outDir = join(root, ".cache", "bench");
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
// Under node_modules/.cache so the bundle's external packages (better-sqlite3, zod) resolve.
const bundle = join(root, "node_modules", ".cache", `m2d-download-bench-${process.pid}.mjs`);
const resultFile = join(outDir, `download-${stamp}.json`);
mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
await build({ absWorkingDir: root, entryPoints: ["main/downloads/bench.ts"], outfile: bundle, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });

const args = ["--bytes", String(bytes), "--rounds", values.rounds, "--out", resultFile];
if (values.connections) args.push("--connections", values.connections);
if (values["chunk-mb"]) args.push("--chunk-mb", values["chunk-mb"]);
const nodeFlags = values.profile ? ["--cpu-prof", "--cpu-prof-dir", join(outDir, "profiles")] : [];
const loadBefore = loadavg()[0];
const run = spawnSync(process.execPath, [...nodeFlags, bundle, ...args], { cwd: root, stdio: "inherit" });
rmSync(bundle, { force: true });
if (run.status !== 0) process.exit(run.status ?? 1);

const r = JSON.parse(readFileSync(resultFile, "utf8"));
const loadAfter = loadavg()[0];
r.machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "?", load1Before: loadBefore, load1After: loadAfter };
writeFileSync(resultFile, `${JSON.stringify(r, null, 2)}\n`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const med = (runs, key) => (runs.some((x) => x[key] === null) ? null : median(runs.map((x) => x[key])));
const f = (n, digits = 2) => (n === null || Number.isNaN(n) ? "?" : n.toFixed(digits));
const curlSeconds = median(r.curl.map((x) => x.seconds));
const curlSumSeconds = median(r.curl.map((x, i) => x.seconds + (r.sha256sumSeconds[i] ?? 0)));
const oursSeconds = median(r.downloader.map((x) => x.seconds));
const durableSeconds = median(r.downloader.map((x) => x.durableSeconds));
const mbps = (s) => f(r.bytes / s / 1e6, 0);
const rows = [
  ["curl -s -o", f(curlSeconds), mbps(curlSeconds), f(med(r.curl, "cpuSeconds")), f(med(r.curl, "serverCpuSeconds")), "1.00", ""],
  ["curl + sha256sum", f(curlSumSeconds), mbps(curlSumSeconds), "", "", f(curlSeconds / curlSumSeconds), ""],
  [`downloader (${r.connections} conn, sha256 + GGUF check)`, f(oursSeconds), mbps(oursSeconds), f(med(r.downloader, "cpuSeconds")), f(med(r.downloader, "serverCpuSeconds")), f(r.ratio), f(r.ratioVerified)],
  ["  ... until its fdatasync is done", f(durableSeconds), mbps(durableSeconds), "", "", f(curlSeconds / durableSeconds), ""],
];
const head = ["client", "seconds", "MB/s", "client CPU s", "server CPU s", "vs curl", "vs curl+sha256sum"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\n${(r.bytes / 1024 ** 2).toFixed(0)} MiB, ${r.curl.length} rounds, medians. Machine: ${cpus().length} CPUs, 1-min load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
console.log(`${line(head)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log(`\nTarget: downloader >= 0.9x curl. Figures: ${resultFile}`);
