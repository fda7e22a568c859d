import { execFile, fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { openDatabase } from "../storage/database";
import { Downloader } from "./downloader";
import { HubClient } from "./hub-client";
import type { DownloadSettings } from "./settings";
import { bundleEntry } from "./testing/bundle";
import type { EmulatorChildReady } from "./testing/emulator-child";
import { TEST_MIGRATIONS } from "./testing/migrations";

export interface BenchResult {
  bytes: number;
  curl: { seconds: number; mbps: number };
  downloader: { seconds: number; mbps: number; connections: number };
  ratio: number;
}

/**
 * Serves a generated 1 GB GGUF from the Hub emulator (in its own process), fetches it with
 * `curl -s -o` and with the Downloader (defaults: 4 connections, sha256 verification included),
 * and prints both throughputs and their ratio. Run from the repo root:
 *   npx esbuild main/downloads/bench.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=node_modules/.cache/m2d-bench.mjs && node node_modules/.cache/m2d-bench.mjs
 */
export async function benchDownload(
  options: { bytes?: number; root?: string; settings?: Partial<DownloadSettings>; log?: (line: string) => void } = {},
): Promise<BenchResult> {
  const bytes = options.bytes ?? 1024 ** 3;
  const log = options.log ?? ((line: string) => console.log(line));
  const root = options.root ?? process.cwd();
  const work = mkdtempSync(join(tmpdir(), "m2d-bench-"));
  const bundle = await bundleEntry(join(root, "main", "downloads", "testing", "emulator-child.ts"), root);
  const server = fork(bundle.file, [String(bytes)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const ready = await new Promise<EmulatorChildReady>((resolve, reject) => {
      server.once("message", (m) => resolve(m as EmulatorChildReady));
      server.once("exit", (code) => reject(new Error(`emulator exited (${code})`)));
    });

    const curlOut = join(work, "curl.gguf");
    let began = performance.now();
    await promisify(execFile)("curl", ["-s", "-o", curlOut, ready.plainUrl]);
    const curlSeconds = (performance.now() - began) / 1000;
    if (statSync(curlOut).size !== bytes) throw new Error("curl fetched the wrong size");
    rmSync(curlOut);

    const db = openDatabase({ path: join(work, "bench.sqlite"), migrations: TEST_MIGRATIONS });
    const downloader = new Downloader({ db, hub: new HubClient({ endpoint: ready.endpoint }), settings: { diskReserveBytes: 0, ...options.settings } });
    began = performance.now();
    const started = await downloader.start({ ref: ready.ref, destDir: join(work, "models") });
    const done = await downloader.wait(started.id);
    const oursSeconds = (performance.now() - began) / 1000;
    await downloader.close();
    db.close();
    if (done.state !== "completed") throw new Error(`download ${done.state}: ${done.error?.message ?? ""}`);

    const mbps = (s: number) => bytes / s / 1e6;
    const connections = options.settings?.connectionsPerFile ?? 4;
    const result: BenchResult = {
      bytes,
      curl: { seconds: curlSeconds, mbps: mbps(curlSeconds) },
      downloader: { seconds: oursSeconds, mbps: mbps(oursSeconds), connections },
      ratio: curlSeconds / oursSeconds,
    };
    log(`${(bytes / 1e9).toFixed(2)} GB from the local Hub emulator`);
    log(`curl -s -o      : ${result.curl.seconds.toFixed(2)} s, ${result.curl.mbps.toFixed(0)} MB/s`);
    log(`Downloader (${connections} conn, sha256 verified): ${result.downloader.seconds.toFixed(2)} s, ${result.downloader.mbps.toFixed(0)} MB/s`);
    log(`ratio downloader/curl: ${result.ratio.toFixed(2)}x (target >= 0.9x)`);
    return result;
  } finally {
    server.disconnect();
    bundle.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bytes = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchDownload({ bytes }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
