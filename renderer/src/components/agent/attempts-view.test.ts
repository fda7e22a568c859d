import { describe, expect, it } from "vitest";
import { AttemptsRunSchema, type Attempt, type AttemptsRun, type TestRun } from "../../../../app/contract/attempts-api";
import { parseUnifiedDiff } from "../../../../app/agent/parse-unified-diff";
import { applyConfirmText, attemptStateLabel, canApply, canDiscard, fileDiffNote, fileDiffTitle, runStatusLabel, testRunView, verifierView } from "./attempts-view";

const attempt = (index: number, patch: Partial<Attempt> = {}): Attempt => ({
  index,
  state: "done",
  conversationId: `c${index}`,
  directory: `/data/attempts/r1/${index}`,
  failure: null,
  diff: "",
  changedFiles: [],
  regression: null,
  reproduction: null,
  verifier: null,
  rank: null,
  rankReasons: [],
  ...patch,
});

/** Built through the contract's schema, so a fixture the backend could not send fails here. */
const run = (patch: Partial<AttemptsRun>): AttemptsRun =>
  AttemptsRunSchema.parse({
    id: "r1",
    workspace: "/home/me/project",
    task: "Fix the parser",
    isolation: "worktree",
    testCommand: { command: "npm test", source: "package.json" },
    state: "running",
    attempts: [attempt(0), attempt(1)],
    applied: null,
    error: null,
    createdAt: 0,
    ...patch,
  });

const testRun = (patch: Partial<TestRun>): TestRun => ({ command: "npm test", exitCode: 0, timedOut: false, durationMs: 2100, passed: 3, failed: 0, tests: [], outputTail: "", ...patch });

describe("attempts view", () => {
  it("a test run reads as passed, failed, timed out, stopped or not run", () => {
    expect(testRunView(testRun({}))).toEqual({ status: "passed", label: "3 passed · 2.1 s" });
    expect(testRunView(testRun({ exitCode: 1, passed: 2, failed: 1 }))).toEqual({ status: "failed", label: "2 passed · 1 failed · 2.1 s" });
    // A non-zero exit with no test counted as failed still fails, and says how it exited.
    expect(testRunView(testRun({ exitCode: 2, passed: 0, failed: 0 }))).toEqual({ status: "failed", label: "0 passed · exit 2 · 2.1 s" });
    expect(testRunView(testRun({ exitCode: null, timedOut: true, durationMs: 300_000 }))).toEqual({ status: "timed_out", label: "timed out after 300 s, killed" });
    expect(testRunView(testRun({ exitCode: null }))).toEqual({ status: "aborted", label: "stopped before it finished" });
    expect(testRunView(null)).toEqual({ status: "not_run", label: "not run" });
  });

  it("the verifier's score is shown to two places, its probabilities in the tooltip", () => {
    expect(verifierView({ score: 0.9134, pYes: 0.9, pNo: 0.0853, promptTokens: 812 })).toEqual({ label: "0.91", title: "p(YES) 0.900, p(NO) 0.085, over 812 prompt tokens" });
    expect(verifierView(null).label).toBe("—");
  });

  it("each attempt's state, with its rank once ranked and its reason once failed", () => {
    expect(attemptStateLabel(attempt(0, { state: "pending" }))).toBe("waiting");
    expect(attemptStateLabel(attempt(0, { state: "running" }))).toBe("working…");
    expect(attemptStateLabel(attempt(0, { rank: 1 }))).toBe("best · rank 1");
    expect(attemptStateLabel(attempt(0, { rank: 3 }))).toBe("rank 3");
    expect(attemptStateLabel(attempt(0, { state: "failed", failure: { reason: "engine_crashed", message: "…" } }))).toBe("failed: the engine crashed");
  });

  it("the run's status names the attempt at work, then the best one, then the one applied", () => {
    expect(runStatusLabel(run({ attempts: [attempt(0), attempt(1, { state: "running" }), attempt(2, { state: "pending" })] }))).toBe("attempt 2 of 3");
    expect(runStatusLabel(run({ attempts: [attempt(0, { state: "verifying" }), attempt(1)] }))).toBe("verifying attempt 1 of 2");
    expect(runStatusLabel(run({ state: "ranked", attempts: [attempt(0, { rank: 2 }), attempt(1, { rank: 1 })] }))).toBe("ranked · attempt 2 is best");
    expect(runStatusLabel(run({ state: "ranked", attempts: [attempt(0, { state: "failed" }), attempt(1, { state: "failed" })] }))).toBe("finished · no attempt succeeded");
    expect(runStatusLabel(run({ state: "ranked", attempts: [attempt(0), attempt(1, { state: "failed" })] }))).toBe("finished · not ranked");
    expect(runStatusLabel(run({ state: "applied", applied: { index: 1, conversationId: "c1", checkpointIds: ["k"] } }))).toBe("attempt 2 applied");
  });

  it("only a finished attempt of a ranked run, its copy still there, can be applied; copies can be discarded until applied or discarded", () => {
    const ranked = run({ state: "ranked", attempts: [attempt(0, { rank: 1 }), attempt(1, { state: "failed" }), attempt(2, { rank: null }), attempt(3, { directory: null })] });
    // Unranked (no ranking in this build) still applies, as the service allows; a failed one or one without its copy does not.
    expect(ranked.attempts.map((a) => canApply(ranked, a))).toEqual([true, false, true, false]);
    const applied = run({ state: "applied", attempts: [attempt(0, { rank: 1 }), attempt(1, { rank: 2 })], applied: { index: 0, conversationId: "c0", checkpointIds: [] } });
    expect(canApply(applied, applied.attempts[1]!)).toBe(false);
    expect(canApply(run({ attempts: [attempt(0, { rank: 1 }), attempt(1)] }), attempt(0, { rank: 1 }))).toBe(false);
    expect(["running", "ranked", "applied", "discarded", "failed", "stopped"].map((state) => canDiscard(run({ state: state as AttemptsRun["state"] })))).toEqual([false, true, false, false, true, true]);
  });

  it("the apply confirm names the workspace and every file it will change", () => {
    const r = run({ state: "ranked" });
    const text = applyConfirmText(r, attempt(1, { rank: 1, changedFiles: ["src/parse.ts", "test/parse.test.ts"] }));
    expect(text).toContain("Apply attempt 2 (rank 1)?");
    expect(text).toContain("these 2 files in /home/me/project:\n  src/parse.ts\n  test/parse.test.ts");
    expect(applyConfirmText(r, attempt(0, { rank: 2, changedFiles: ["a.ts"] }))).toContain("this file in /home/me/project:\n  a.ts");
    expect(applyConfirmText(r, attempt(0, { rank: 2 }))).toContain("It changes no files.");
  });

  it("a parsed file diff is titled by what happened to it, with a note where it has no hunks", () => {
    const files = parseUnifiedDiff(
      [
        "diff --git a/new.md b/new.md",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/new.md",
        "@@ -0,0 +1 @@",
        "+hi",
        "diff --git a/old.md b/old.md",
        "deleted file mode 100644",
        "--- a/old.md",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-bye",
        "diff --git a/x.bin b/x.bin",
        "Binary files a/x.bin and b/x.bin differ",
        "",
      ].join("\n"),
    );
    expect(files.map(fileDiffTitle)).toEqual(["new file new.md", "deleted old.md", "x.bin"]);
    expect(fileDiffNote(files[2]!)).toBe("The diff is left out: the file is not text.");
  });
});
