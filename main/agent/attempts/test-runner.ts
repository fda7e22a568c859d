import type { TestRun } from "../../../app/contract/attempts-api";
import { runSandboxed } from "../sandbox/runner";
import { MAX_TEST_NAMES, parseTestOutput } from "./test-output";

/** The end of the output kept with the run, for the reasons shown. */
export const OUTPUT_TAIL_CHARS = 20_000;

export interface TestRunRequest {
  directory: string;
  command: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Runs a test command on one attempt's copy in the agent's OS sandbox (no network, the copy read-write; the
 * timeout kills the whole process tree) and reads per-test results from its output, else its exit code as one test.
 */
export async function runTestCommand({ directory, command, timeoutMs, signal }: TestRunRequest): Promise<TestRun> {
  const result = await runSandboxed({ command, workspace: directory, limits: { timeoutMs }, ...(signal && { signal }) });
  const exitCode = result.timedOut || result.aborted ? null : result.exitCode;
  const output = result.stdout + (result.stderr ? `\n${result.stderr}` : "");
  const parsed = parseTestOutput(result.stdout) ?? parseTestOutput(output);
  const tests = parsed?.tests ?? [];
  let passed = parsed?.passed ?? 0;
  let failed = parsed?.failed ?? 0;
  // A run that did not end well counts as a failure even when every test it printed passed (a hang, a crash after).
  const endedBadly = exitCode !== 0;
  if (!parsed || (endedBadly && failed === 0)) {
    const why = result.timedOut ? "timed out" : result.aborted ? "aborted" : `exit ${exitCode ?? result.signal ?? "?"}`;
    if (tests.length < MAX_TEST_NAMES) tests.push({ name: parsed ? `${command} (${why})` : command, ok: !endedBadly });
    if (endedBadly) failed += 1;
    else passed += 1;
  }
  const tail = output.length > OUTPUT_TAIL_CHARS ? output.slice(output.length - OUTPUT_TAIL_CHARS) : output;
  return { command, exitCode, timedOut: result.timedOut, durationMs: result.durationMs, passed, failed, tests, outputTail: tail };
}
