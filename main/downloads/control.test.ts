import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bootId } from "./boot-id";
import { isLoadable, Library } from "./library";
import { bufferContent, ggufBytes } from "./testing/content";
import { splitModel, until, useEmulator } from "./testing/harness";

const t = useEmulator();
const REPO = "bartowski/MiniMaxAI_MiniMax-M2-GGUF";

function model(quant: string, parts: number, bytes: number) {
  const files = splitModel(quant, parts, bytes, "MiniMaxAI_MiniMax-M2");
  t.emulator.addRepo({ repo: REPO, files });
  return files;
}

const persistedDone = () => t.db.prepare("SELECT COALESCE(SUM(done), 0) FROM download_chunks").pluck().get() as number;

describe("pause, resume, cancel and limits", () => {
  it("pauses with no more traffic and progress kept, then resumes where it stopped", async () => {
    const files = model("Q4_K_M", 2, 1_000_000);
    t.emulator.throttle(500_000); // per connection
    const { downloader, models } = t.setup({ chunkBytes: 128 * 1024 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q4_K_M`, destDir: models });
    await until(() => (downloader.get(id)?.bytesDone ?? 0) > 500_000, 10_000, "some progress");
    const paused = await downloader.pause(id);
    expect(paused.state).toBe("paused");
    const servedAtPause = t.emulator.bytesServed();
    await new Promise((r) => setTimeout(r, 200));
    expect(t.emulator.bytesServed()).toBe(servedAtPause);
    expect(persistedDone()).toBe(paused.bytesDone);
    expect(paused.bytesDone).toBeGreaterThan(400_000);
    expect(paused.files.some((f) => existsSync(`${f.path}.partial`))).toBe(true);
    expect(isLoadable(t.db, paused.primaryPath)).toBe(false);

    t.emulator.throttle(null);
    await downloader.resume(id);
    const done = await downloader.wait(id);
    expect(done.state).toBe("completed");
    for (const [i, f] of done.files.entries()) expect(readFileSync(f.path).equals(files[i]?.content.read(0, 1_000_000) ?? Buffer.alloc(0))).toBe(true);
    // Bytes in flight when the sockets closed are all that was fetched twice.
    expect(t.emulator.bytesServed() - 2_000_000).toBeLessThanOrEqual(servedAtPause - paused.bytesDone + 64);
  });

  it("cancels: deletes partials, finished shards and all state", async () => {
    model("Q5_K_M", 3, 600_000);
    t.emulator.throttle(400_000);
    const { downloader, models } = t.setup({ parallelFiles: 1 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q5_K_M`, destDir: models });
    await until(() => (downloader.get(id)?.files[0]?.verified ?? false), 10_000, "first shard verified");
    const info = downloader.get(id);
    const states: string[] = [];
    downloader.on("state", (s) => states.push(s.state));
    await downloader.cancel(id);
    expect(states).toContain("cancelled");
    for (const f of info?.files ?? []) {
      expect(existsSync(f.path)).toBe(false);
      expect(existsSync(`${f.path}.partial`)).toBe(false);
    }
    expect(downloader.get(id)).toBeUndefined();
    expect(t.db.prepare("SELECT COUNT(*) FROM download_chunks").pluck().get()).toBe(0);
    expect(t.db.prepare("SELECT COUNT(*) FROM library_models").pluck().get()).toBe(0);
  });

  it("honours the bandwidth limit across connections (within a generous band)", async () => {
    model("IQ4_XS", 1, 3_000_000);
    const { downloader, models } = t.setup({ bandwidthLimitBps: 2_000_000 });
    const began = performance.now();
    const info = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:IQ4_XS`, destDir: models })).id);
    const seconds = (performance.now() - began) / 1000;
    expect(info.state).toBe("completed");
    // 3 MB at 2 MB/s: 1.5 s minus the 0.2 MB burst; unthrottled this takes ~50 ms.
    expect(seconds).toBeGreaterThan(1.1);
    expect(seconds).toBeLessThan(5);
  });

  it("restarts a file whose ETag changed on the server while paused", async () => {
    model("Q3_K_L", 1, 1_000_000);
    t.emulator.throttle(300_000);
    const { downloader, models } = t.setup();
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q3_K_L`, destDir: models });
    await until(() => (downloader.get(id)?.bytesDone ?? 0) > 200_000, 10_000, "progress");
    const paused = await downloader.pause(id);
    const path = "Q3_K_L/MiniMaxAI_MiniMax-M2-Q3_K_L-00001-of-00001.gguf";
    const fresh = ggufBytes(900_000);
    t.emulator.replaceFile(REPO, path, bufferContent(fresh));
    t.emulator.throttle(null);
    t.emulator.resetCounters();
    await downloader.resume(id);
    const done = await downloader.wait(id);
    expect(done.state).toBe("completed");
    expect(done.totalBytes).toBe(900_000);
    expect(readFileSync(paused.primaryPath).equals(fresh)).toBe(true);
    expect(t.emulator.bytesServed()).toBeGreaterThanOrEqual(900_000); // nothing of the old object reused
    expect(isLoadable(t.db, paused.primaryPath)).toBe(true);
  });

  it("survives a quit: a new Downloader on the same database resumes interrupted downloads", async () => {
    const files = model("Q6_K", 1, 1_500_000);
    t.emulator.throttle(500_000);
    const first = t.setup();
    const { id } = await first.downloader.start({ ref: `hf:${REPO}:Q6_K`, destDir: first.models });
    await until(() => (first.downloader.get(id)?.bytesDone ?? 0) > 300_000, 10_000, "progress");
    await first.downloader.close();
    const kept = persistedDone();
    expect(kept).toBeGreaterThan(250_000);
    t.emulator.throttle(null);
    t.emulator.resetCounters();
    const second = t.setup();
    const resumed = await second.downloader.resumeInterrupted();
    expect(resumed.map((r) => r.id)).toEqual([id]);
    const done = await second.downloader.wait(id);
    expect(done.state).toBe("completed");
    expect(readFileSync(done.primaryPath).equals(files[0]?.content.read(0, 1_500_000) ?? Buffer.alloc(0))).toBe(true);
    expect(t.emulator.bytesServed()).toBeLessThanOrEqual(1_500_000 - kept + 16);
  });

  it("after a reboot trusts only fdatasync'ed progress", async () => {
    const files = model("Q5_K_S", 1, 1_200_000);
    t.emulator.throttle(400_000);
    const first = t.setup({ syncIntervalMs: 60_000 });
    const { id } = await first.downloader.start({ ref: `hf:${REPO}:Q5_K_S`, destDir: first.models });
    await until(() => (first.downloader.get(id)?.bytesDone ?? 0) > 400_000, 10_000, "progress");
    await first.downloader.close();
    // As if the machine lost power: only the first 100 KB had been synced, on another boot.
    t.db.prepare("UPDATE download_chunks SET synced = MIN(done, 100000) WHERE idx = 0").run();
    t.db.prepare("UPDATE download_chunks SET synced = 0 WHERE idx > 0").run();
    t.db.prepare("UPDATE download_files SET boot_id = 'an-earlier-boot'").run();
    t.emulator.throttle(null);
    t.emulator.resetCounters();
    const second = t.setup();
    await second.downloader.resume(id);
    const done = await second.downloader.wait(id);
    expect(done.state).toBe("completed");
    expect(readFileSync(done.primaryPath).equals(files[0]?.content.read(0, 1_200_000) ?? Buffer.alloc(0))).toBe(true);
    const served = t.emulator.bytesServed();
    expect(served).toBeGreaterThanOrEqual(1_100_000);
    expect(served).toBeLessThanOrEqual(1_100_000 + 16);
  });

  it("trusts a finished file on the boot that wrote it; after a reboot only once synced or hashed again", async () => {
    model("Q3_K_M", 2, 400_000);
    const { downloader, models } = t.setup();
    const done = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:Q3_K_M`, destDir: models })).id);
    expect(done.state).toBe("completed");
    const unsynced = () => t.db.prepare("SELECT unsynced_boot FROM library_files ORDER BY path").pluck().all();
    // Written on this boot: loadable at once, whether or not the background sync has finished.
    expect(unsynced().every((b) => b === null || b === bootId())).toBe(true);
    expect(isLoadable(t.db, done.primaryPath)).toBe(true);
    await downloader.close(); // waits for the syncs
    expect(unsynced()).toEqual([null, null]);
    // As if the machine lost power before one file's sync finished.
    t.db.prepare("UPDATE library_files SET unsynced_boot = 'an-earlier-boot' WHERE path = ?").run(done.files[1]?.path);
    expect(isLoadable(t.db, done.primaryPath)).toBe(false);
    expect(new Library(t.db).lostToReboot(done.id)).toBe(true);
    expect(new Library(t.db).hasIntactFile(done.files[1]?.path ?? "", 400_000)).toBeUndefined();
    // The next start hashes it again: the bytes on disk still match, so it is trusted again.
    const next = t.setup();
    await next.downloader.resumeInterrupted();
    await next.downloader.rechecked();
    expect(isLoadable(t.db, done.primaryPath)).toBe(true);
    expect(new Library(t.db).lostToReboot(done.id)).toBe(false);
    expect(unsynced()).toEqual([null, null]);
  });

  it("after a reboot does not trust a finished file whose bytes did not all reach the disk", async () => {
    model("Q3_K_S", 1, 400_000);
    const { downloader, models } = t.setup();
    const done = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:Q3_K_S`, destDir: models })).id);
    await downloader.close();
    // Power lost before writeback: the tail is zeros, with size and mtime as they were.
    const path = done.primaryPath;
    const { mtimeNs } = statSync(path, { bigint: true });
    const bytes = readFileSync(path);
    bytes.fill(0, 300_000);
    writeFileSync(path, bytes);
    // To the nanosecond: utimes() takes seconds as a double, which can land a hair below the millisecond.
    execFileSync("touch", ["-m", "-d", `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, "0")}`, path]);
    t.db.prepare("UPDATE library_files SET unsynced_boot = 'an-earlier-boot'").run();
    expect(new Library(t.db).filesLostToReboot().map((f) => f.path)).toEqual([path]); // so the re-hash does look at it
    const next = t.setup();
    await next.downloader.resumeInterrupted();
    await next.downloader.rechecked();
    expect(isLoadable(t.db, path)).toBe(false);
    expect(new Library(t.db).lostToReboot(done.id)).toBe(true);
  });

  it("refuses a second download of the same files and a model that is already there", async () => {
    model("Q2_K_L", 1, 200_000);
    const { downloader, models } = t.setup();
    const first = await downloader.start({ ref: `hf:${REPO}:Q2_K_L`, destDir: models });
    await expect(downloader.start({ ref: `hf:${REPO}:Q2_K_L`, destDir: models })).rejects.toMatchObject({ details: { reason: "busy" } });
    await downloader.wait(first.id);
    await expect(downloader.start({ ref: `hf:${REPO}:Q2_K_L`, destDir: models })).rejects.toMatchObject({ details: { reason: "busy" } });
  });
});
