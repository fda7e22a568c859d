import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestRun } from "../../app/contract/attempts-api";
import { ATTEMPTS_CONTENTS, ATTEMPTS_FILE, ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { runSandboxed } from "../agent/sandbox/runner";
import { copyTree } from "../agent/attempts/isolation";
import { rankAttempts } from "../agent/attempts/rank";
import { formatTreeDiff, treeChanges } from "../agent/attempts/tree-diff";
import type { AttemptsVerification } from "./attempts-service";

// The best-of-N proof (issue 17 part 2): the scripted attempts model on the real engine writes greet.txt three
// ways (seeds 9, 10, 11: wrong, correct but marked, correct), in real git worktrees; the test command runs in the
// real bubblewrap sandbox; the verifier is the backend's own (the engine's score op); R2E-Gym's ranking picks the
// correct one, and applying it changes the workspace exactly by its diff.

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "m2d-attempts-proof-")));
const dataDir = join(scratch, "data");
let backend: Backend;

/** The test command's exit code as one test, in the agent's sandbox (a stand-in for the parsing runner). */
const sandboxTestRun: NonNullable<AttemptsVerification["runTests"]> = async ({ directory, command, timeoutMs, signal }) => {
  const result = await runSandboxed({ command, workspace: directory, limits: { timeoutMs }, ...(signal && { signal }) });
  const ok = result.exitCode === 0 && !result.timedOut;
  const run: TestRun = {
    command, exitCode: result.timedOut ? null : result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs,
    passed: ok ? 1 : 0, failed: ok ? 0 : 1, tests: [{ name: command, ok }], outputTail: (result.stdout + result.stderr).slice(-20_000),
  };
  return run;
};

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).toString();

function repo(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ATTEMPTS_FILE), "Hi\n");
  writeFileSync(join(dir, "test.sh"), `grep -qx 'Hello, world' ${ATTEMPTS_FILE}\n`);
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

beforeAll(async () => {
  backend = createBackend({
    dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined,
    attemptsVerification: { runTests: sandboxTestRun, rank: rankAttempts },
  });
  await backend.models.load(await ensureTestModel("attempts"), { gpu: "cpu", contextSize: 16384 });
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("best-of-N proof on the scripted attempts model", () => {
  it("ranks the attempt that passes the tests and the verifier first, and applying it changes the workspace exactly by its diff", async () => {
    const root = repo("ws");
    const before = join(scratch, "before");
    await copyTree(root, before);
    const { runId, done } = await backend.attempts.start({ workspace: root, task: "Make greet.txt say exactly 'Hello, world'.", attempts: 3, testCommand: "sh test.sh", mode: "auto_edit", maxSteps: 4, testTimeoutMs: 30_000, baseSeed: 9 });
    await done;
    const run = backend.attempts.get(runId);
    expect(run.state).toBe("ranked");
    const [wrong, marked, correct] = run.attempts;
    if (!wrong || !marked || !correct) throw new Error("three attempts expected");
    for (const [attempt, content] of [[wrong, ATTEMPTS_CONTENTS[1]], [marked, ATTEMPTS_CONTENTS[2]], [correct, ATTEMPTS_CONTENTS[0]]] as const) {
      expect(attempt.state).toBe("done");
      expect(attempt.changedFiles).toEqual([ATTEMPTS_FILE]);
      expect(readFileSync(join(attempt.directory!, ATTEMPTS_FILE), "utf8")).toBe(content.replace(/\n$/, ""));
    }
    // Execution-based: the wrong greeting breaks the test; the other two pass it.
    expect(wrong.regression).toMatchObject({ exitCode: 1, passed: 0, failed: 1 });
    expect(marked.regression).toMatchObject({ exitCode: 0, passed: 1, failed: 0 });
    expect(correct.regression).toMatchObject({ exitCode: 0, passed: 1, failed: 0 });
    // Execution-free: the model's p(YES) from the engine; the marker in the diff makes it say NO.
    expect(correct.verifier!.score).toBeGreaterThan(0.7);
    expect(wrong.verifier!.score).toBeGreaterThan(0.7);
    expect(marked.verifier!.score).toBeLessThan(0.01);
    expect(correct.verifier!.promptTokens).toBeGreaterThan(0);
    // R2E-Gym's order: the marked one falls out of the verifier's top half, then tests decide between the rest.
    expect(correct.rank).toBe(1);
    expect(wrong.rank).toBe(2);
    expect(marked.rank).toBe(3);
    expect(correct.rankReasons.join(" ")).toMatch(/verifier|test/i);
    expect(await treeChanges(before, root)).toEqual([]);

    const applied = await backend.attempts.apply(runId, 2);
    expect(applied.changedFiles).toEqual([ATTEMPTS_FILE]);
    expect(formatTreeDiff(await treeChanges(before, root))).toBe(correct.diff);
    expect(readFileSync(join(root, ATTEMPTS_FILE), "utf8")).toBe("Hello, world");
    // The others are discarded with their copies.
    for (const attempt of backend.attempts.get(runId).attempts) expect(attempt.directory).toBeNull();
    expect(git(root, "worktree", "list").split("\n").filter(Boolean)).toHaveLength(1);
  }, 300_000);

  it("an attempt whose engine crashes mid-run fails with engine_crashed, and the run still verifies and ranks the rest", async () => {
    const root = repo("crash");
    let runId = "";
    let killed = false;
    let firstRunning = false;
    const off = backend.events.subscribe((event) => {
      if (event.type === "attempts.updated" && event.run.id === runId) firstRunning = event.run.attempts[0]?.state === "running" && event.run.attempts[0].conversationId !== null;
      // The first attempt's first streamed token: kill the engine process under it.
      if (event.type === "generation.event" && firstRunning && !killed && event.event.type === "reasoning_delta") {
        const pid = backend.engine.getStatus().pid;
        if (pid) {
          killed = true;
          process.kill(pid, "SIGKILL");
        }
      }
    });
    const started = await backend.attempts.start({ workspace: root, task: "Make greet.txt say exactly 'Hello, world'.", attempts: 3, testCommand: "sh test.sh", mode: "auto_edit", maxSteps: 4, testTimeoutMs: 30_000, baseSeed: 9 });
    runId = started.runId;
    await started.done;
    off();
    expect(killed).toBe(true);
    const run = backend.attempts.get(runId);
    expect(run.state).toBe("ranked");
    const [crashed, marked, correct] = run.attempts;
    expect(crashed).toMatchObject({ state: "failed", failure: { reason: "engine_crashed" }, rank: null, verifier: null, regression: null });
    // The engine restarted and reloaded the model for the next attempt, which ran as if nothing had happened.
    expect(marked).toMatchObject({ state: "done", regression: { passed: 1 } });
    expect(correct).toMatchObject({ state: "done", regression: { passed: 1 }, rank: 1 });
    expect(marked!.verifier!.score).toBeLessThan(0.01);
    expect(marked!.rank).toBe(2);
    expect(readFileSync(join(root, ATTEMPTS_FILE), "utf8")).toBe("Hi\n");
    await backend.attempts.discard(runId);
  }, 300_000);
});
