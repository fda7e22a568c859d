import { z } from "zod";
import { PolicyModeSchema, TestCommandTextSchema } from "./agent-api";

/**
 * Best-of-N agent attempts (issue 17 part 2): N runs of one task, each in its own copy of the workspace,
 * verified by the workspace's tests and reproduction tests (execution-based) and by the model's own YES/NO
 * judgement of the diff (execution-free), ranked in R2E-Gym's hybrid order. Nothing touches the user's
 * workspace until one attempt is applied, through the agent's checkpoints, so it can be reverted.
 */

const Id = z.string().min(1).max(64);
export const MIN_ATTEMPTS = 2;
export const MAX_ATTEMPTS = 8;

/** Where an attempt's copy of the workspace lives: a git worktree at HEAD, or a plain copy of the folder. */
export const AttemptIsolationSchema = z.enum(["worktree", "copy"]);
export type AttemptIsolation = z.infer<typeof AttemptIsolationSchema>;

/** Where the test command came from; "none": nothing was detected and none was set, so no regression tests run. */
export const TestCommandSourceSchema = z.enum([
  "workspace_setting", "request", "package.json", "pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", "Makefile", "Cargo.toml", "go.mod", "none",
]);

export const TestCommandSchema = z.object({
  /** null only with source "none". */
  command: TestCommandTextSchema.nullable(),
  source: TestCommandSourceSchema,
});
export type TestCommand = z.infer<typeof TestCommandSchema>;

/** One test's outcome, when the runner's output names tests (TAP, vitest/jest, pytest); else one entry for the command. */
export const TestCaseResultSchema = z.object({ name: z.string(), ok: z.boolean() });

/** A test command run in the sandbox on one attempt's result. */
export const TestRunSchema = z.object({
  command: z.string(),
  /** null: it did not exit by itself (timed out and killed with its process tree, or aborted). */
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  tests: z.array(TestCaseResultSchema).max(1000),
  /** The end of its stdout and stderr, for the reasons shown. */
  outputTail: z.string().max(20_000),
});
export type TestRun = z.infer<typeof TestRunSchema>;

/** The execution-free verifier: the model's probability of answering YES to "does this diff solve the task?". */
export const VerifierScoreSchema = z.object({
  /** p(YES) / (p(YES) + p(NO)) from the engine's token probabilities at the answer position, in [0, 1]. */
  score: z.number().min(0).max(1),
  pYes: z.number().min(0).max(1),
  pNo: z.number().min(0).max(1),
  promptTokens: z.number().int().nonnegative(),
});
export type VerifierScore = z.infer<typeof VerifierScoreSchema>;

/** Why one attempt has no usable result; the other attempts go on. */
export const AttemptFailureReasonSchema = z.enum([
  /** The worktree or copy could not be made (the message says why, e.g. a dirty tree, with a copy offered). */
  "isolation_failed",
  "engine_crashed",
  "disk_full",
  "agent_error",
  "aborted",
]);

export const AttemptFailureSchema = z.object({ reason: AttemptFailureReasonSchema, message: z.string() });

export const AttemptStateSchema = z.enum(["pending", "running", "verifying", "done", "failed"]);

export const AttemptSchema = z.object({
  index: z.number().int().min(0),
  state: AttemptStateSchema,
  /** The agent conversation of this attempt (its trajectory); null until it starts. */
  conversationId: Id.nullable(),
  /** The copy it worked in; removed when the run is discarded or applied. */
  directory: z.string().nullable(),
  failure: AttemptFailureSchema.nullable(),
  /** Unified diff of the attempt's copy against the workspace as it was when the run started. */
  diff: z.string(),
  changedFiles: z.array(z.string()),
  /** The workspace's own tests on this attempt's result; null when there is no test command or it has not run. */
  regression: TestRunSchema.nullable(),
  /** The reproduction tests written for the task in their own step, run on this attempt's result. */
  reproduction: TestRunSchema.nullable(),
  verifier: VerifierScoreSchema.nullable(),
  /** 1 = best; null until ranked or for a failed attempt. */
  rank: z.number().int().min(1).nullable(),
  /** Why it ranks where it does, in words (shown beside the rank). */
  rankReasons: z.array(z.string()),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const AttemptsRunStateSchema = z.enum(["running", "ranked", "applied", "discarded", "failed", "stopped"]);

export const AttemptsRunSchema = z.object({
  id: Id,
  workspace: z.string(),
  task: z.string(),
  isolation: AttemptIsolationSchema,
  testCommand: TestCommandSchema,
  state: AttemptsRunStateSchema,
  attempts: z.array(AttemptSchema).min(MIN_ATTEMPTS).max(MAX_ATTEMPTS),
  /** The attempt applied to the workspace, and the checkpoints (in that attempt's conversation) that revert it. */
  applied: z.object({ index: z.number().int().min(0), conversationId: Id, checkpointIds: z.array(z.string()) }).nullable(),
  /** Set with state "failed": why the run as a whole could not go on. */
  error: z.string().nullable(),
  createdAt: z.number().int(),
});
export type AttemptsRun = z.infer<typeof AttemptsRunSchema>;

export const attemptsMethods = {
  /** Starts N attempts of an agent task; they run one after another on the one engine. */
  "attempts.start": {
    params: z
      .object({
        workspace: z.string().min(1).max(4096),
        task: z.string().min(1).max(1_000_000),
        attempts: z.number().int().min(MIN_ATTEMPTS).max(MAX_ATTEMPTS),
        /** Overrides the detected or saved test command for this run. */
        testCommand: TestCommandTextSchema.optional(),
        /** A git workspace with uncommitted changes cannot get worktrees at HEAD; "copy" copies the folder as it is. */
        isolation: AttemptIsolationSchema.optional(),
        mode: PolicyModeSchema.optional(),
        maxSteps: z.number().int().min(1).max(10_000).default(50),
        /** Test command timeout, per run. */
        testTimeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000),
      })
      .strict(),
    result: z.object({ runId: Id }),
  },
  "attempts.get": { params: z.object({ runId: Id }).strict(), result: AttemptsRunSchema },
  /** Runs for the agent view, newest first; for one workspace when given. */
  "attempts.list": { params: z.object({ workspace: z.string().min(1).max(4096).optional() }).strict(), result: z.object({ runs: z.array(AttemptsRunSchema) }) },
  /** What would be detected as the workspace's test command (shown before starting). */
  "attempts.detectTestCommand": { params: z.object({ workspace: z.string().min(1).max(4096) }).strict(), result: TestCommandSchema },
  "attempts.stop": { params: z.object({ runId: Id }).strict(), result: z.object({}) },
  /** Writes one attempt's changes into the workspace through checkpoints (revert with agent.revert); the other copies are removed. */
  "attempts.apply": {
    params: z.object({ runId: Id, index: z.number().int().min(0) }).strict(),
    result: z.object({ conversationId: Id, checkpointIds: z.array(z.string()), changedFiles: z.array(z.string()) }),
  },
  /** Removes every attempt's copy; the workspace stays as it is. */
  "attempts.discard": { params: z.object({ runId: Id }).strict(), result: z.object({}) },
} as const;

export const attemptsEventSchemas = [z.object({ type: z.literal("attempts.updated"), run: AttemptsRunSchema })] as const;
