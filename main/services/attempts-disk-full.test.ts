import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";

// Best-of-N on a real full disk: the data folder, and the attempt copies beside it, on a 64 MB tmpfs (mounting needs
// root; without it these tests skip and say why), with the real engine, SQLite and sandbox. The user's workspace
// lives elsewhere and holds a 6 MB file, so the disk can be filled to the byte where one more copy does not fit.

const MB = 1024 * 1024;
const BIG_FILE = 6 * MB;
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "m2d-attempts-full-")));
const disk = join(scratch, "disk");
const dataDir = join(disk, "data");
const filler = join(disk, "filler");
let mountError: string | null = null;
try {
  mkdirSync(disk);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${64 * MB}`, "tmpfs", disk], { stdio: "pipe" });
} catch (error) {
  mountError = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
}
let backend: Backend | undefined;

const freeBytes = () => {
  const s = statfsSync(disk);
  return s.bavail * s.bsize;
};

/** Fills the disk so that `free` bytes stay free. */
function leaveFree(free: number): void {
  rmSync(filler, { force: true });
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes() - free)));
}

function workspace(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "data.bin"), Buffer.alloc(BIG_FILE, 7));
  writeFileSync(join(dir, "README.md"), "# Demo\n");
  return dir;
}

const attemptsFolder = () => (existsSync(`${dataDir}-attempts`) ? readdirSync(`${dataDir}-attempts`) : []);

beforeAll(async () => {
  if (mountError) return;
  const model = await ensureTestModel("edit");
  backend = createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  await backend.models.load(model, { gpu: "cpu", contextSize: 8192 });
}, 120_000);

afterAll(async () => {
  await backend?.close();
  if (!mountError) {
    try {
      execFileSync("umount", [disk], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", disk], { stdio: "pipe" });
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe("best-of-N on a full disk", () => {
  it("an attempt whose copy does not fit fails as disk_full, leaves no partial copy, and the others are verified, ranked and applied", async (ctx) => {
    if (mountError || !backend) return ctx.skip(`cannot mount a tmpfs here: ${mountError}`);
    const root = workspace("ws");
    // Room for two copies and 4 MB for SQLite and the logs: the base copy and the reproduction step's (removed once
    // it wrote no tests), then the base and the first attempt's; not for the second attempt's.
    leaveFree(2 * BIG_FILE + 4 * MB);
    const { runId, done } = await backend.attempts.start({ workspace: root, task: "Make a notes file.", attempts: 2, testCommand: "test -f notes.md", mode: "auto_edit", maxSteps: 5, testTimeoutMs: 30_000 });
    await done;
    const run = backend.attempts.get(runId);
    expect(run.state).toBe("ranked");
    expect(run.attempts[0]).toMatchObject({ state: "done", rank: 1, changedFiles: ["notes.md"], regression: { passed: 1, failed: 0 } });
    expect(run.attempts[1]).toMatchObject({ state: "failed", rank: null, directory: null, failure: { reason: "disk_full", message: expect.stringMatching(/^The disk is full: /) } });
    // The half-made copy is gone (no `work` folder left holding the space), and what the run stored is what it published.
    expect(readdirSync(join(`${dataDir}-attempts`, runId)).sort()).toEqual(["0", "base"]);
    expect(backend.attempts.store.get(runId)).toEqual(run);
    // The user's workspace was untouched until apply, which still works once the filler is gone.
    expect(existsSync(join(root, "notes.md"))).toBe(false);
    rmSync(filler, { force: true });
    const applied = await backend.attempts.apply(runId, 0);
    expect(applied.changedFiles).toEqual(["notes.md"]);
    expect(readFileSync(join(root, "notes.md"), "utf8").trimEnd()).toBe("Hello from M2");
    expect(attemptsFolder()).toEqual([]);
  }, 180_000);

  it("a run whose base copy does not fit is refused as disk_full, and nothing is stored or left on the disk", async (ctx) => {
    if (mountError || !backend) return ctx.skip(`cannot mount a tmpfs here: ${mountError}`);
    const root = workspace("ws2");
    const runs = backend.attempts.store.list().length;
    leaveFree(BIG_FILE / 2);
    await expect(backend.attempts.start({ workspace: root, task: "Make a notes file.", attempts: 2, maxSteps: 5, testTimeoutMs: 30_000 })).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/^The run could not start: The disk is full: /),
      details: { reason: "disk_full" },
    });
    expect(backend.attempts.store.list()).toHaveLength(runs);
    expect(attemptsFolder()).toEqual([]);
    // Once there is room, the same run starts and ranks.
    rmSync(filler, { force: true });
    const again = await backend.attempts.start({ workspace: root, task: "Make a notes file.", attempts: 2, testCommand: "test -f notes.md", mode: "auto_edit", maxSteps: 5, testTimeoutMs: 30_000 });
    await again.done;
    expect(backend.attempts.get(again.runId)).toMatchObject({ state: "ranked", attempts: [{ state: "done", rank: 1 }, { state: "done", rank: 2 }] });
  }, 180_000);
});
