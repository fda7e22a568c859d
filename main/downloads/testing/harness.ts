import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { openDatabase, type Db } from "../../storage/database";
import { Downloader } from "../downloader";
import { HubClient } from "../hub-client";
import type { DownloadSettings } from "../settings";
import { bufferContent, ggufBytes } from "./content";
import { TEST_MIGRATIONS } from "./migrations";
import { HubEmulator, type EmulatedFile } from "./hub-emulator";

export { TEST_MIGRATIONS };

/** Short timers so failure paths run in milliseconds; no disk reserve on small test disks. */
export const FAST_SETTINGS: Partial<DownloadSettings> = {
  connectionsPerFile: 4,
  parallelFiles: 2,
  chunkBytes: 256 * 1024,
  retryBaseMs: 5,
  retryMaxMs: 50,
  idleTimeoutMs: 2_000,
  flushIntervalMs: 50,
  syncIntervalMs: 100,
  progressIntervalMs: 50,
  diskCheckIntervalMs: 0,
  diskReserveBytes: 0,
};

export function tempDir(prefix = "m2d-dl-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function openTestDb(path: string): Db {
  return openDatabase({ path, migrations: TEST_MIGRATIONS });
}

export function makeDownloader(db: Db, endpoint: string, settings: Partial<DownloadSettings> = {}, token?: string): Downloader {
  return new Downloader({ db, hub: new HubClient({ endpoint, token }), settings: { ...FAST_SETTINGS, ...settings } });
}

/** gguf-split shards the way unsloth and bartowski lay them out: one folder per quant. */
export function splitModel(quant: string, parts: number, partBytes: number, stem = "MiniMax-M2"): EmulatedFile[] {
  return Array.from({ length: parts }, (_, i) => ({
    path: `${quant}/${stem}-${quant}-${String(i + 1).padStart(5, "0")}-of-${String(parts).padStart(5, "0")}.gguf`,
    content: bufferContent(ggufBytes(partBytes, parts > 1 ? { split: { no: i, count: parts } } : {})),
  }));
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Registers the hooks of a test file that talks to one shared emulator: each test gets a
 * fresh database and models folder; downloaders are closed and faults cleared after it.
 */
export function useEmulator() {
  const state = { emulator: undefined as HubEmulator | undefined, dir: undefined as ReturnType<typeof tempDir> | undefined, db: undefined as Db | undefined };
  const downloaders: Downloader[] = [];
  beforeAll(async () => {
    state.emulator = await HubEmulator.start();
  });
  afterAll(async () => {
    await state.emulator?.close();
  });
  afterEach(async () => {
    await Promise.all(downloaders.splice(0).map((d) => d.close()));
    state.db?.close();
    state.dir?.remove();
    state.db = undefined;
    const emulator = state.emulator;
    if (!emulator) return;
    emulator.clearFaults();
    emulator.throttle(null);
    emulator.resetCounters();
    emulator.treePageSize = 0;
  });
  return {
    get emulator(): HubEmulator {
      if (!state.emulator) throw new Error("emulator not started");
      return state.emulator;
    },
    get db(): Db {
      if (!state.db) throw new Error("call setup() first");
      return state.db;
    },
    /** A downloader on a fresh database; call again in the same test for a second one on the same database. */
    setup(settings: Partial<DownloadSettings> = {}, token?: string): { downloader: Downloader; models: string; dir: string } {
      if (!state.dir || !state.db) {
        state.dir = tempDir();
        state.db = openTestDb(join(state.dir.path, "db.sqlite"));
      }
      const downloader = makeDownloader(state.db, this.emulator.endpoint, settings, token);
      downloaders.push(downloader);
      return { downloader, models: join(state.dir.path, "models"), dir: state.dir.path };
    },
  };
}
