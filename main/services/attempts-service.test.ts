import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { copyTree } from "../agent/attempts/isolation";
import { formatTreeDiff, treeChanges } from "../agent/attempts/tree-diff";

// Best-of-N on the real engine (the scripted "edit" agent writes notes.md), real git worktrees, real SQLite and
// the real bubblewrap sandbox for the test command:
// the backend's own verification (detection, the parsing test runner, R2E-Gym ranking, the engine verifier).

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "m2d-attempts-")));
const dataDir = join(scratch, "data");
let backend: Backend;
let model: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).toString();

function repo(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "README.md"), "# Demo\n");
  writeFileSync(join(dir, "src", "index.ts"), "export {};\n");
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

async function snapshot(dir: string, name: string): Promise<string> {
  const copy = join(scratch, `snap-${name}`);
  await copyTree(dir, copy);
  return copy;
}

beforeAll(async () => {
  model = await ensureTestModel("edit");
  backend = createBackend({
    dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined,
  });
  await backend.models.load(model, { gpu: "cpu", contextSize: 8192 });
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("best-of-N attempts", () => {
  it("runs each attempt in its own worktree, tests it, ranks; the workspace is untouched until apply, which changes it exactly by the diff and reverts", async () => {
    const root = repo("ws");
    const before = await snapshot(root, "ws");
    const updates: string[] = [];
    const off = backend.events.subscribe((e) => e.type === "attempts.updated" && updates.push(`${e.run.state}:${e.run.attempts.map((a) => a.state).join(",")}`));
    const { runId, done } = await backend.attempts.start({ workspace: root, task: "Make a notes file.", attempts: 2, testCommand: "test -f notes.md", mode: "auto_edit", maxSteps: 5, testTimeoutMs: 30_000, baseSeed: 7 });
    await done;
    off();
    const run = backend.attempts.get(runId);
    expect(run).toMatchObject({ state: "ranked", isolation: "worktree", testCommand: { command: "test -f notes.md", source: "request" } });
    expect(updates).toContain("running:running,pending");
    expect(updates.at(-1)).toBe("ranked:done,done");
    for (const attempt of run.attempts) {
      expect(attempt.changedFiles).toEqual(["notes.md"]);
      expect(attempt.diff).toContain("+++ b/notes.md\n@@ -0,0 +1,1 @@\n+Hello from M2\n");
      expect(attempt.regression).toMatchObject({ exitCode: 0, timedOut: false, passed: 1, failed: 0 });
      // The tool-call parser trims the parameter's closing newline, so the file is the text alone.
      expect(readFileSync(join(attempt.directory!, "notes.md"), "utf8").trimEnd()).toBe("Hello from M2");
      // Each attempt is its own agent conversation, sampled with its own seed.
      expect(backend.chat.repo.getConversation(attempt.conversationId!).settings.seed).toBe(7 + attempt.index);
    }
    expect(run.attempts.map((a) => a.rank)).toEqual([1, 2]);
    // Both attempts worked in the same folder, so the second one's first prompt is the first one's up to the answer:
    // the engine kept that prefix in its KV cache and evaluated only what differs (issue 17: "reusing the shared prompt prefix").
    const firstStep = (conversationId: string) => backend.chat.repo.listBranchPath(conversationId).find((m) => m.role === "assistant")!.stats!;
    const [first, second] = run.attempts.map((a) => firstStep(a.conversationId!));
    console.log(`attempts prefix reuse: attempt 1 step 1 evaluated ${first!.evaluatedTokens}/${first!.promptTokens}, attempt 2 step 1 evaluated ${second!.evaluatedTokens}/${second!.promptTokens}`);
    expect(second!.promptTokens).toBe(first!.promptTokens);
    expect(second!.evaluatedTokens).toBeLessThanOrEqual(2);
    expect(first!.evaluatedTokens).toBeGreaterThan(first!.promptTokens / 2); // after the reproduction step's prompt, in another folder
    for (const attempt of run.attempts) expect(attempt.rankReasons).toContain("regression 1/1 passed");
    expect(git(root, "worktree", "list").split("\n").filter(Boolean)).toHaveLength(1 + 1 + 2); // the workspace, the base, two attempts
    // Nothing reached the workspace.
    expect(await treeChanges(before, root)).toEqual([]);
    expect(backend.agent.recentWorkspaces()).not.toContain(run.attempts[0]!.directory);

    const applied = await backend.attempts.apply(runId, 0);
    expect(applied.changedFiles).toEqual(["notes.md"]);
    expect(formatTreeDiff(await treeChanges(before, root))).toBe(run.attempts[0]!.diff);
    expect(backend.attempts.get(runId)).toMatchObject({ state: "applied", applied: { index: 0, conversationId: applied.conversationId } });
    for (const attempt of backend.attempts.get(runId).attempts) expect(attempt.directory).toBeNull();
    expect(existsSync(join(`${dataDir}-attempts`, runId))).toBe(false);
    expect(git(root, "worktree", "list").split("\n").filter(Boolean)).toHaveLength(1);

    // The Changed-files panel lists it, and agent.revert puts the workspace back.
    const changes = await backend.agent.changes(applied.conversationId);
    expect(changes.files.map((f) => f.path)).toEqual(["notes.md"]);
    for (const checkpointId of [...applied.checkpointIds].reverse()) await backend.agent.revert(applied.conversationId, checkpointId);
    expect(await treeChanges(before, root)).toEqual([]);
  }, 180_000);

  it("a test command that hangs times out for each attempt (killed), and the run still ranks; discard removes the copies", async () => {
    const dir = join(scratch, "plain");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.txt"), "x\n");
    const { runId, done } = await backend.attempts.start({ workspace: dir, task: "Make a notes file.", attempts: 2, testCommand: "sleep 600", mode: "auto_edit", maxSteps: 5, testTimeoutMs: 1500 });
    await done;
    const run = backend.attempts.get(runId);
    expect(run.isolation).toBe("copy");
    expect(run.state).toBe("ranked");
    for (const attempt of run.attempts) {
      expect(attempt.state).toBe("done");
      expect(attempt.regression).toMatchObject({ timedOut: true, exitCode: null, failed: 1 });
      expect(attempt.regression!.durationMs).toBeLessThan(20_000);
    }
    // The command set for the run is the workspace's from now on; clearing the setting brings detection back.
    expect(await backend.attempts.detectTestCommand(dir)).toEqual({ command: "sleep 600", source: "workspace_setting" });
    expect(backend.agent.workspaceSettings.get(realpathSync(dir)).testCommand).toBe("sleep 600");
    backend.agent.workspaceSettings.update(realpathSync(dir), { testCommand: null });
    expect(await backend.attempts.detectTestCommand(dir)).toEqual({ command: null, source: "none" });
    await backend.attempts.discard(runId);
    expect(backend.attempts.get(runId).state).toBe("discarded");
    expect(existsSync(join(`${dataDir}-attempts`, runId))).toBe(false);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("x\n");
    expect(existsSync(join(dir, "notes.md"))).toBe(false);
  }, 180_000);

  it("a dirty git workspace is refused with the offer of a copy, and nothing is stored", async () => {
    const root = repo("dirty");
    writeFileSync(join(root, "README.md"), "# Edited\n");
    const runs = (await backend.attempts.list()).length;
    await expect(backend.attempts.start({ workspace: root, task: "x", attempts: 2, maxSteps: 1, testTimeoutMs: 1000 })).rejects.toMatchObject({
      code: "bad_request",
      details: { reason: "dirty_tree", offer: "copy" },
    });
    expect((await backend.attempts.list()).length).toBe(runs);
    // A blank test command is refused at the contract, before a copy is made or the workspace's setting is touched.
    git(root, "checkout", "--", "README.md");
    const blank = await backend.dispatch("attempts.start", { workspace: root, task: "x", attempts: 2, testCommand: "   " }, { transport: "cli" });
    expect(blank).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect((await backend.attempts.list()).length).toBe(runs);
    expect(backend.agent.workspaceSettings.get(realpathSync(root)).testCommand).toBeNull();
  });

  it("runs survive a restart through the contract; one a quit cut off reads as stopped", async () => {
    const listed = await backend.dispatch("attempts.list", {}, { transport: "cli" });
    expect(listed).toMatchObject({ ok: true });
    const stored = backend.attempts.store.list();
    expect(stored.map((r) => r.state)).toEqual(expect.arrayContaining(["applied", "discarded"]));
    const cut = { ...stored[0]!, id: "cut-off-run", state: "running" as const, attempts: stored[0]!.attempts.map((a) => ({ ...a, state: "running" as const })) };
    backend.attempts.store.insert(cut, null);
    expect(backend.attempts.recoverInterrupted()).toBe(1);
    expect(backend.attempts.get("cut-off-run")).toMatchObject({ state: "stopped", attempts: [{ state: "failed", failure: { reason: "aborted" } }, { state: "failed" }] });
  });
});
