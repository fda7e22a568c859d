import { execFile, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { openDatabase } from "../storage/database";
import { Downloader } from "./downloader";
import { HubClient } from "./hub-client";
import type { DownloadSettings } from "./settings";
import { bundleEntry } from "./testing/bundle";
import type { EmulatorChildReady } from "./testing/emulator-child";
import { TEST_MIGRATIONS } from "./testing/migrations";

const run = promisify(execFile);

export interface BenchRun {
  seconds: number;
  mbps: number;
  /** The client's CPU seconds (curl: via /usr/bin/time when present). */
  cpuSeconds: number | null;
  /** The emulator's CPU seconds during the run (Linux /proc), else null. */
  serverCpuSeconds: number | null;
  /** Downloader only: seconds until the file was also fdatasync'ed (done after completion). */
  durableSeconds?: number;
}

export interface BenchResult {
  bytes: number;
  connections: number;
  curl: BenchRun[];
  /** Seconds `sha256sum` took on curl's file: what curl needs to match the downloader's verification. */
  sha256sumSeconds: number[];
  downloader: BenchRun[];
  /** median curl time / median downloader time: ≥ 1 means the downloader is as fast or faster. */
  ratio: number;
  /** The same against curl followed by sha256sum (a verified file either way). */
  ratioVerified: number;
}

/**
 * Serves a generated GGUF (1 GiB by default) from the Hub emulator in its own process. After one
 * uncounted warm-up round of each client, alternating rounds fetch it with `curl -s -o` and with
 * the Downloader (default settings: 4 connections; sha256 and GGUF verification included). Prints
 * throughput, CPU and the ratio of the medians. Like curl's, the Downloader's time ends when the file is complete at its
 * final name; the fdatasync that follows is timed separately.
 * Run it with `npm run bench:download -- [--mb 1024] [--rounds 5]`.
 */
export async function benchDownload(
  options: { bytes?: number; rounds?: number; root?: string; settings?: Partial<DownloadSettings>; log?: (line: string) => void } = {},
): Promise<BenchResult> {
  const bytes = options.bytes ?? 1024 ** 3;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? ((line: string) => console.log(line));
  const root = options.root ?? process.cwd();
  const connections = options.settings?.connectionsPerFile ?? 4;
  const work = mkdtempSync(join(tmpdir(), "m2d-bench-"));
  const bundle = await bundleEntry(join(root, "main", "downloads", "testing", "emulator-child.ts"), root);
  const server = fork(bundle.file, [String(bytes)], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const result: BenchResult = { bytes, connections, curl: [], sha256sumSeconds: [], downloader: [], ratio: 0, ratioVerified: 0 };
  try {
    const ready = await new Promise<EmulatorChildReady>((resolve, reject) => {
      server.once("message", (m) => resolve(m as EmulatorChildReady));
      server.once("exit", (code) => reject(new Error(`emulator exited (${code})`)));
    });
    log(`${(bytes / 1e9).toFixed(2)} GB from the local Hub emulator, ${rounds} rounds after a warm-up round`);
    // Not counted: the first round pays for JIT compilation, thread start-up and cold caches.
    await curlOnce(ready.plainUrl, join(work, "warm-up.gguf"), bytes);
    rmSync(join(work, "warm-up.gguf"));
    await downloaderOnce(ready, join(work, "warm-up"), options.settings ?? {}, (body) => measure(server, bytes, body));
    for (let round = 0; round < rounds; round++) {
      const curlOut = join(work, "curl.gguf");
      const curl = await measure(server, bytes, () => curlOnce(ready.plainUrl, curlOut, bytes));
      result.curl.push(curl);
      const sumSeconds = await sha256sum(curlOut);
      result.sha256sumSeconds.push(sumSeconds);
      rmSync(curlOut);
      log(`  curl -s -o         ${line(curl)}   (+ sha256sum ${sumSeconds.toFixed(2)} s)`);
      const ours = await downloaderOnce(ready, join(work, `round-${round}`), options.settings ?? {}, (body) => measure(server, bytes, body));
      result.downloader.push(ours);
      log(`  Downloader (${connections} conn) ${line(ours)}`);
    }
    const oursMedian = median(result.downloader.map((r) => r.seconds));
    result.ratio = median(result.curl.map((r) => r.seconds)) / oursMedian;
    result.ratioVerified = median(result.curl.map((r, i) => r.seconds + (result.sha256sumSeconds[i] ?? 0))) / oursMedian;
    log(`median: curl ${mbps(bytes, median(result.curl.map((r) => r.seconds)))} MB/s, downloader ${mbps(bytes, median(result.downloader.map((r) => r.seconds)))} MB/s`);
    log(`ratio downloader/curl: ${result.ratio.toFixed(2)}x (target >= 0.9x); against curl + sha256sum: ${result.ratioVerified.toFixed(2)}x`);
    return result;
  } finally {
    server.disconnect();
    bundle.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(server: ChildProcess, bytes: number, body: () => Promise<number | null>): Promise<BenchRun> {
  const serverCpu = processCpu(server.pid);
  const began = performance.now();
  const cpuSeconds = await body();
  const seconds = (performance.now() - began) / 1000;
  const after = processCpu(server.pid);
  return { seconds, mbps: bytes / seconds / 1e6, cpuSeconds, serverCpuSeconds: serverCpu === null || after === null ? null : after - serverCpu };
}

async function curlOnce(url: string, out: string, bytes: number): Promise<number | null> {
  let cpu: number | null = null;
  try {
    const { stderr } = await run("/usr/bin/time", ["-f", "%U %S", "curl", "-s", "-o", out, url]);
    const [user, system] = stderr.trim().split(/\s+/).map(Number);
    cpu = (user ?? 0) + (system ?? 0);
  } catch {
    await run("curl", ["-s", "-o", out, url]);
  }
  if (statSync(out).size !== bytes) throw new Error("curl fetched the wrong size");
  return cpu;
}

async function sha256sum(path: string): Promise<number> {
  const began = performance.now();
  await run("sha256sum", [path]).catch(() => undefined);
  return (performance.now() - began) / 1000;
}

/**
 * One download through a fresh Downloader and database. Timed from start() to the verified file
 * at its final name, like curl's run; opening the database and deleting the file afterwards are not.
 */
async function downloaderOnce(
  ready: EmulatorChildReady,
  dir: string,
  settings: Partial<DownloadSettings>,
  timed: (body: () => Promise<number>) => Promise<BenchRun>,
): Promise<BenchRun> {
  const db = openDatabase({ path: join(dir, "bench.sqlite"), migrations: TEST_MIGRATIONS });
  const downloader = new Downloader({ db, hub: new HubClient({ endpoint: ready.endpoint }), settings: { diskReserveBytes: 0, ...settings } });
  try {
    const run = await timed(async () => {
      const cpu = process.cpuUsage();
      const done = await downloader.wait((await downloader.start({ ref: ready.ref, destDir: join(dir, "models") })).id);
      if (done.state !== "completed") throw new Error(`download ${done.state}: ${done.error?.message ?? ""}`);
      const used = process.cpuUsage(cpu);
      return (used.user + used.system) / 1e6;
    });
    const began = performance.now();
    await downloader.close(); // waits for the fdatasync of the finished file
    return { ...run, durableSeconds: run.seconds + (performance.now() - began) / 1000 };
  } finally {
    await downloader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** utime+stime of a process in seconds, from /proc (Linux); null elsewhere. */
function processCpu(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const mbps = (bytes: number, seconds: number) => (bytes / seconds / 1e6).toFixed(0);
const fmt = (n: number | null) => (n === null ? "?" : n.toFixed(2));
const line = (r: BenchRun) =>
  `${r.seconds.toFixed(2)} s  ${r.mbps.toFixed(0).padStart(4)} MB/s  cpu ${fmt(r.cpuSeconds)} s  server cpu ${fmt(r.serverCpuSeconds)} s` +
  (r.durableSeconds === undefined ? "" : `   (on disk after ${r.durableSeconds.toFixed(2)} s)`);

// realpath: import.meta.url has symlinks resolved (node_modules may be one).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  // npm run bench:download drives this (scripts/bench-download.mjs); --out writes the result as JSON.
  const { values } = parseArgs({
    options: { bytes: { type: "string" }, rounds: { type: "string" }, connections: { type: "string" }, "chunk-mb": { type: "string" }, out: { type: "string" } },
  });
  const num = (v: string | undefined) => (v ? Number(v) : undefined);
  const connections = num(values.connections);
  const chunkMb = num(values["chunk-mb"]);
  const settings = { ...(connections ? { connectionsPerFile: connections } : {}), ...(chunkMb ? { chunkBytes: Math.round(chunkMb * 1024 * 1024) } : {}) };
  benchDownload({ bytes: num(values.bytes), rounds: num(values.rounds), settings })
    .then((result) => {
      if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
