import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoadable } from "./library";
import { bundleEntry } from "./testing/bundle";
import type { ChildConfig, ChildMessage } from "./testing/download-child";
import { openTestDb, splitModel, tempDir } from "./testing/harness";
import { HubEmulator } from "./testing/hub-emulator";

// The real thing: a separate process SIGKILLed mid-transfer, then a new one resuming from SQLite.
let emulator: HubEmulator;
let child: { file: string; remove(): void };
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  [emulator, child] = await Promise.all([HubEmulator.start(), bundleEntry(join(import.meta.dirname, "testing", "download-child.ts"))]);
  dir = tempDir();
});
afterAll(async () => {
  await emulator?.close();
  child?.remove();
  dir?.remove();
});

function runChild(config: ChildConfig, onMessage: (m: ChildMessage, proc: ChildProcess) => void): { proc: ChildProcess; exited: Promise<NodeJS.Signals | number | null> } {
  const proc = fork(child.file, [JSON.stringify(config)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  proc.on("message", (m) => onMessage(m as ChildMessage, proc));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on("exit", (code, signal) => resolve(signal ?? code)));
  return { proc, exited };
}

describe("crash recovery across processes", () => {
  it("resumes after SIGKILL, re-fetching at most one chunk per connection", async () => {
    const repo = "unsloth/MiniMax-M2-GGUF";
    const files = splitModel("UD-Q3_K_XL", 2, 2_000_000);
    const total = 4_000_000;
    emulator.addRepo({ repo, files });
    emulator.throttle(300_000); // per connection: 4 connections → ~1.2 MB/s
    const settings = { connectionsPerFile: 2, parallelFiles: 2, chunkBytes: 128 * 1024, flushIntervalMs: 50, progressIntervalMs: 20, retryBaseMs: 5, diskReserveBytes: 0, diskCheckIntervalMs: 0 };
    const connections = settings.connectionsPerFile * settings.parallelFiles;
    const config: ChildConfig = { dbPath: join(dir.path, "db.sqlite"), endpoint: emulator.endpoint, destDir: join(dir.path, "models"), settings };

    const first = runChild({ ...config, ref: `hf:${repo}:UD-Q3_K_XL` }, (m, proc) => {
      if (m.type === "progress" && m.bytesDone >= 1_400_000) proc.kill("SIGKILL");
      if (m.type === "settled") proc.kill("SIGKILL"); // must not finish before the kill
    });
    expect(await first.exited).toBe("SIGKILL");
    // Let the emulator notice the dead sockets before counting what it sent.
    await new Promise((r) => setTimeout(r, 150));
    const servedBeforeKill = emulator.bytesServed();

    let db = openTestDb(config.dbPath);
    const persisted = db.prepare("SELECT SUM(done) FROM download_chunks").pluck().get() as number;
    expect(db.prepare("SELECT state FROM downloads").pluck().get()).toBe("running");
    db.close();
    expect(persisted).toBeGreaterThan(1_000_000);
    expect(persisted).toBeLessThan(total);

    emulator.throttle(null);
    let settled: ChildMessage | undefined;
    const second = runChild(config, (m) => {
      if (m.type === "settled") settled = m;
    });
    await second.exited;
    expect(settled).toMatchObject({ state: "completed", error: null });

    const servedAfter = emulator.bytesServed() - servedBeforeKill;
    const refetched = servedBeforeKill + servedAfter - total;
    // What the second process fetched beyond what SQLite said was on disk (minus one-byte probes)...
    expect(servedAfter - (total - persisted)).toBeLessThanOrEqual(8);
    // ...and overall: everything lost to the kill is at most one chunk per connection.
    expect(refetched).toBeLessThanOrEqual(connections * settings.chunkBytes);

    db = openTestDb(config.dbPath);
    for (const [i, f] of files.entries()) {
      const path = join(config.destDir, f.path.split("/").pop() ?? "");
      expect(readFileSync(path).equals(f.content.read(0, f.content.size)), `file ${i}`).toBe(true);
      expect(isLoadable(db, path)).toBe(true);
    }
    db.close();
  });
});
