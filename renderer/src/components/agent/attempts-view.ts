import type { Attempt, AttemptsRun, TestRun, VerifierScore } from "../../../../app/contract/attempts-api";
import type { FileDiff } from "../../../../app/agent/parse-unified-diff";

/** What the attempts view and the sidebar say about a run, its attempts and their checks; pure, so it is tested without a DOM. */

export type TestStatus = "passed" | "failed" | "timed_out" | "aborted" | "not_run";

export interface TestRunView {
  status: TestStatus;
  label: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** A test run as one status and a short line ("3 passed · 1 failed · 2.1 s"). */
export function testRunView(run: TestRun | null): TestRunView {
  if (run === null) return { status: "not_run", label: "not run" };
  if (run.timedOut) return { status: "timed_out", label: `timed out after ${seconds(run.durationMs)}, killed` };
  if (run.exitCode === null) return { status: "aborted", label: "stopped before it finished" };
  const counts = [`${run.passed} passed`, ...(run.failed > 0 ? [`${run.failed} failed`] : [])].join(" · ");
  const ok = run.exitCode === 0 && run.failed === 0;
  return { status: ok ? "passed" : "failed", label: `${counts}${ok || run.failed > 0 ? "" : ` · exit ${run.exitCode}`} · ${seconds(run.durationMs)}` };
}

/** The verifier's p(YES) as a score out of 1, with the raw probabilities for the tooltip. */
export function verifierView(verifier: VerifierScore | null): { label: string; title: string } {
  if (verifier === null) return { label: "—", title: "Not scored yet" };
  return {
    label: verifier.score.toFixed(2),
    title: `p(YES) ${verifier.pYes.toFixed(3)}, p(NO) ${verifier.pNo.toFixed(3)}, over ${verifier.promptTokens} prompt tokens`,
  };
}

const FAILURE_LABEL: Record<NonNullable<Attempt["failure"]>["reason"], string> = {
  isolation_failed: "its copy could not be made",
  engine_crashed: "the engine crashed",
  disk_full: "the disk is full",
  agent_error: "the agent failed",
  aborted: "stopped",
};

export function attemptStateLabel(attempt: Attempt): string {
  switch (attempt.state) {
    case "pending":
      return "waiting";
    case "running":
      return "working…";
    case "verifying":
      return "verifying…";
    case "done":
      return attempt.rank === null ? "done" : attempt.rank === 1 ? "best · rank 1" : `rank ${attempt.rank}`;
    case "failed":
      return attempt.failure ? `failed: ${FAILURE_LABEL[attempt.failure.reason]}` : "failed";
  }
}

/** The run's state in a few words, for its header and the sidebar. */
export function runStatusLabel(run: AttemptsRun): string {
  const n = run.attempts.length;
  switch (run.state) {
    case "running": {
      const active = run.attempts.find((a) => a.state === "running" || a.state === "verifying");
      const finished = run.attempts.filter((a) => a.state === "done" || a.state === "failed").length;
      if (!active) return `running · ${finished} of ${n} finished`;
      return `${active.state === "running" ? "attempt" : "verifying attempt"} ${active.index + 1} of ${n}`;
    }
    case "ranked": {
      const best = run.attempts.find((a) => a.rank === 1);
      if (best) return `ranked · attempt ${best.index + 1} is best`;
      // Finished attempts with no rank: the build has no ranking, so the user picks by diff and tests.
      return run.attempts.some((a) => a.state === "done") ? "finished · not ranked" : "finished · no attempt succeeded";
    }
    case "applied":
      return run.applied ? `attempt ${run.applied.index + 1} applied` : "applied";
    case "discarded":
      return "discarded";
    case "stopped":
      return "stopped";
    case "failed":
      return "failed";
  }
}

/**
 * What attempts.apply accepts: a finished attempt of a ranked run whose copy is still there (a failed one has no
 * result; after apply or discard the copies are gone). Its rank is not required: a build without a ranking still
 * lets the user pick one by its diff and tests.
 */
export function canApply(run: AttemptsRun, attempt: Attempt): boolean {
  return run.state === "ranked" && attempt.state === "done" && attempt.directory !== null;
}

/** The run still holds copies of the workspace that "Discard all" would remove. */
export function canDiscard(run: AttemptsRun): boolean {
  return run.state === "ranked" || run.state === "stopped" || run.state === "failed";
}

/** The confirm before apply names every file it will write, so nothing in the workspace changes by surprise. */
export function applyConfirmText(run: AttemptsRun, attempt: Attempt): string {
  const files = attempt.changedFiles;
  const list = files.length === 0 ? "It changes no files." : `It will change ${files.length === 1 ? "this file" : `these ${files.length} files`} in ${run.workspace}:\n${files.map((f) => `  ${f}`).join("\n")}`;
  return `Apply attempt ${attempt.index + 1} (rank ${attempt.rank ?? "–"})?\n\n${list}\n\nThe other attempts' copies are removed. You can revert it from the Changed files panel.`;
}

export function fileDiffTitle(file: FileDiff): string {
  switch (file.status) {
    case "added":
      return `new file ${file.path}`;
    case "deleted":
      return `deleted ${file.path}`;
    case "renamed":
      return `${file.oldPath ?? "?"} → ${file.path}`;
    case "modified":
      return file.path;
  }
}

export function fileDiffNote(file: FileDiff): string {
  if (file.binary) return "The diff is left out: the file is not text.";
  if (file.status === "renamed") return "Renamed, with no change to its text.";
  return file.status === "added" ? "An empty new file." : "No change to its text (its mode changed).";
}
