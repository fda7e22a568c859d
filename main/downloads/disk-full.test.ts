import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DownloadErrorSchema } from "../../app/contract/downloads-api";
import { freeBytes } from "./disk-space";
import { isLoadable } from "./library";
import { splitModel, tempDir, until, useEmulator } from "./testing/harness";

// A real full disk: an 8 MB tmpfs (needs root; without it these tests skip and say why).
const TMPFS_BYTES = 8 * 1024 * 1024;
const host = tempDir("m2d-diskfull-");
const mountPoint = join(host.path, "small-disk");
let mountError: string | null = null;
try {
  mkdirSync(mountPoint);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_BYTES}`, "tmpfs", mountPoint], { stdio: "pipe" });
} catch (error) {
  mountError = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
}
afterAll(() => {
  if (!mountError) {
    try {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", mountPoint], { stdio: "pipe" });
    }
  }
  host.remove();
});

const t = useEmulator();
const REPO = "unsloth/MiniMax-M2-GGUF";

/** Every byte SQLite says is written must be the source's byte: no corruption at the edge of ENOSPC. */
function assertRecordedBytesIntact(files: ReturnType<typeof splitModel>, models: string): void {
  const rows = t.db.prepare("SELECT file_idx, start, done FROM download_chunks WHERE done > 0").all() as Array<{ file_idx: number; start: number; done: number }>;
  for (const row of rows) {
    const source = files[row.file_idx];
    if (!source) throw new Error("no source");
    const fd = openSync(join(models, `${source.path.split("/").pop()}.partial`), "r");
    const buffer = Buffer.alloc(row.done);
    readSync(fd, buffer, 0, row.done, row.start);
    closeSync(fd);
    expect(buffer.equals(source.content.read(row.start, row.start + row.done))).toBe(true);
  }
}

describe("a full disk", () => {
  it("refuses to start a model bigger than the free space", async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here: ${mountError}`);
    t.emulator.addRepo({ repo: REPO, files: splitModel("Q8_0", 2, 5_000_000) });
    const { downloader } = t.setup();
    await expect(downloader.start({ ref: `hf:${REPO}:Q8_0`, destDir: join(mountPoint, "a") })).rejects.toMatchObject({
      code: "storage",
      details: { reason: "disk_full" },
      message: expect.stringContaining("Not enough disk space"),
    });
    expect(downloader.list()).toEqual([]);
  });

  it("pauses on ENOSPC with state kept and no corruption, then resumes once space is freed", async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here: ${mountError}`);
    const files = splitModel("UD-Q2_K_XL", 2, 3_000_000);
    t.emulator.addRepo({ repo: REPO, files });
    t.emulator.throttle(400_000);
    const models = join(mountPoint, "b");
    const filler = join(mountPoint, "filler");
    const { downloader } = t.setup({ connectionsPerFile: 2 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:UD-Q2_K_XL`, destDir: models });
    await until(() => (downloader.get(id)?.bytesDone ?? 0) > 1_000_000, 10_000, "progress");
    // Someone else fills the disk, leaving less than the next writes need.
    writeFileSync(filler, Buffer.alloc(Math.max(0, (await freeBytes(mountPoint)) - 200_000)));
    t.emulator.throttle(null);
    const paused = await downloader.wait(id);
    expect(paused.state).toBe("paused");
    expect(paused.error).toMatchObject({ code: "storage", details: { reason: "disk_full" } });
    // The strict wire schema reads what the downloader really produced.
    expect(DownloadErrorSchema.parse(paused.error)).toEqual(paused.error);
    expect(paused.error?.message).toMatch(/Not enough disk space .* Free some space and resume/);
    expect(t.db.prepare("SELECT COALESCE(SUM(done), 0) FROM download_chunks").pluck().get()).toBe(paused.bytesDone);
    expect(paused.bytesDone).toBeGreaterThan(1_000_000);
    assertRecordedBytesIntact(files, models);

    // Still full: resume refuses up front and the download stays paused.
    await expect(downloader.resume(id)).rejects.toMatchObject({ details: { reason: "disk_full" } });
    expect(downloader.get(id)?.state).toBe("paused");

    rmSync(filler);
    await downloader.resume(id);
    const done = await downloader.wait(id);
    expect(done.state).toBe("completed");
    for (const [i, f] of done.files.entries()) {
      expect(readFileSync(f.path).equals(files[i]?.content.read(0, 3_000_000) ?? Buffer.alloc(0))).toBe(true);
      expect(isLoadable(t.db, f.path)).toBe(true);
      expect(existsSync(`${f.path}.partial`)).toBe(false);
    }
    rmSync(models, { recursive: true });
  });

  it("pauses before the disk is actually full when free space falls below what is left to download", async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here: ${mountError}`);
    t.emulator.addRepo({ repo: REPO, files: splitModel("Q4_K_M", 1, 4_000_000) });
    t.emulator.throttle(300_000);
    const models = join(mountPoint, "c");
    const filler = join(mountPoint, "filler");
    const { downloader } = t.setup({ diskCheckIntervalMs: 50 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q4_K_M`, destDir: models });
    await until(() => (downloader.get(id)?.bytesDone ?? 0) > 500_000, 10_000, "progress");
    writeFileSync(filler, Buffer.alloc((await freeBytes(mountPoint)) - 1_500_000));
    const paused = await downloader.wait(id);
    expect(paused).toMatchObject({ state: "paused", error: { details: { reason: "disk_full" } } });
    expect(await freeBytes(mountPoint)).toBeGreaterThan(0); // stopped before ENOSPC
    rmSync(filler);
    await downloader.cancel(id);
  });
});
