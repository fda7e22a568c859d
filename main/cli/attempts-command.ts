import { AppError, type GpuChoice } from "../../app/contract";
import { AttemptIsolationSchema, MAX_ATTEMPTS, MIN_ATTEMPTS, type Attempt, type AttemptsRun, type TestRun } from "../../app/contract/attempts-api";
import type { PolicyMode } from "../../app/agent/types";
import { createBackend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { distPath } from "./dist-paths";
import { openQuestions } from "./tty-questions";

/** `m2d agent --attempts N` (issue 17 part 2): what agentCommand hands over once its own options are checked. */
export interface AttemptsCommandInput {
  attempts: string;
  testCommand: string | undefined;
  isolation: string | undefined;
  /** "best": apply the top-ranked without asking. */
  apply: string | undefined;
  workspace: string;
  task: string;
  modelPath: string;
  dataDir: string;
  mode: PolicyMode | undefined;
  maxSteps: number;
  contextSize: number | undefined;
  gpu: GpuChoice;
}

const tests = (run: TestRun | null) => (run === null ? "—" : run.timedOut ? "timed out" : `${run.passed}/${run.passed + run.failed}`);

/** One line per attempt state change, so a long run shows where it is. */
function progressLine(attempt: Attempt, total: number): string {
  const head = `attempt ${attempt.index + 1}/${total}`;
  if (attempt.state === "failed") return `${head}: failed (${attempt.failure?.reason ?? "?"}): ${attempt.failure?.message ?? ""}`;
  if (attempt.state === "done") return `${head}: done, ${attempt.changedFiles.length} file(s) changed, tests ${tests(attempt.regression)}`;
  return `${head}: ${attempt.state}`;
}

/** The ranking as a table: rank, attempt, tests (regression, reproduction), verifier, reasons. */
export function rankingTable(run: AttemptsRun): string {
  const rows = [...run.attempts]
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.index - b.index)
    .map((a) => [a.rank === null ? "—" : String(a.rank), String(a.index + 1), `${tests(a.regression)} · repro ${tests(a.reproduction)}`, a.verifier ? a.verifier.score.toFixed(2) : "—", a.state === "failed" ? `failed: ${a.failure?.message ?? ""}` : a.rankReasons.join("; ")]);
  const header = ["rank", "attempt", "tests", "verifier", "reasons"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** The attempt the CLI offers: the top-ranked, else (no ranking in this build) the first that finished. */
export function offeredAttempt(run: AttemptsRun): Attempt | null {
  return run.attempts.find((a) => a.rank === 1 && a.state === "done") ?? run.attempts.find((a) => a.state === "done" && a.directory !== null) ?? null;
}

export async function attemptsCommand(input: AttemptsCommandInput): Promise<void> {
  const n = Number(input.attempts);
  if (!Number.isInteger(n) || n < MIN_ATTEMPTS || n > MAX_ATTEMPTS) throw new AppError("bad_request", `--attempts must be an integer from ${MIN_ATTEMPTS} to ${MAX_ATTEMPTS}, got "${input.attempts}".`);
  const isolation = input.isolation === undefined ? undefined : AttemptIsolationSchema.safeParse(input.isolation);
  if (isolation && !isolation.success) throw new AppError("bad_request", `--isolation must be copy or worktree, got "${input.isolation}".`);
  if (input.apply !== undefined && input.apply !== "best") throw new AppError("bad_request", `--apply takes "best" (the top-ranked attempt), got "${input.apply}".`);
  const print = (line: string) => process.stdout.write(line);
  const backend = createBackend({ dataDir: input.dataDir, spawnEngine: forkSpawner(distPath("engine/main.js")), log: () => undefined });
  try {
    await backend.models.load(input.modelPath, { gpu: input.gpu, ...(input.contextSize ? { contextSize: input.contextSize } : {}) });
    const seen = new Map<number, string>();
    backend.events.subscribe((event) => {
      if (event.type !== "attempts.updated") return;
      for (const attempt of event.run.attempts) {
        const line = progressLine(attempt, event.run.attempts.length);
        if (seen.get(attempt.index) !== line) print(`${line}\n`);
        seen.set(attempt.index, line);
      }
    });
    const { runId, done } = await backend.attempts.start({
      workspace: input.workspace, task: input.task, attempts: n, maxSteps: input.maxSteps, testTimeoutMs: 300_000, baseSeed: 1,
      ...(input.testCommand ? { testCommand: input.testCommand } : {}),
      ...(isolation?.success ? { isolation: isolation.data } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
    });
    process.once("SIGINT", () => void backend.attempts.stop(runId));
    await done;
    const run = backend.attempts.get(runId);
    print(`\nrun ${run.id}: ${run.state}${run.error ? ` (${run.error})` : ""}, tests: ${run.testCommand.command ?? "none"}\n\n${rankingTable(run)}`);
    const offered = run.state === "ranked" ? offeredAttempt(run) : null;
    if (!offered) return void print("\nNo attempt can be applied; the workspace is unchanged.\n");
    let apply = input.apply === "best" && offered.rank === 1;
    if (input.apply === "best" && !apply) print("\n--apply best: no attempt is ranked (this build has no ranking); not applied.\n");
    if (input.apply === undefined) {
      const terminal = openQuestions();
      try {
        if (terminal.interface) apply = /^y(es)?$/i.test((await terminal.interface.question(`\nApply attempt ${offered.index + 1}? [y/N] `)).trim());
        else print(`\nNo terminal to ask: not applied. The run (${run.id}) stays under Best-of-N runs in the app with this data folder (${input.dataDir}); apply it there.\n`);
      } finally {
        terminal.close();
      }
    }
    if (!apply) {
      // Not applied on purpose: the copies stay for the app, unless there is no terminal and no data folder to go back to.
      return void print(`Not applied; the workspace is unchanged (run ${run.id}).\n`);
    }
    const result = await backend.attempts.apply(run.id, offered.index);
    print(`Applied attempt ${offered.index + 1}: ${result.changedFiles.join(", ") || "no files"}. Revert it from the app's Changed files (conversation ${result.conversationId}).\n`);
  } finally {
    await backend.close();
  }
}
