import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError, type AppEvent } from "../../app/contract";
import type { Attempt, AttemptsRun, AttemptIsolation, TestCommand, TestRun, VerifierScore } from "../../app/contract/attempts-api";
import type { PolicyMode } from "../../app/agent/types";
import type { Db } from "../storage/database";
import { resolveWorkspaceRoot } from "../agent/workspace";
import { AttemptsStore } from "../agent/attempts/store";
import { chooseIsolation, copyTree, createIsolatedCopy, isolationError, moveIsolatedCopy, removeIsolatedCopy } from "../agent/attempts/isolation";
import { formatTreeDiff, REPRO_DIR, treeChanges } from "../agent/attempts/tree-diff";
import { compactTrajectory } from "../agent/attempts/trajectory";
import { applyChanges } from "../agent/attempts/apply";
import type { AgentService } from "./agent-service";
import type { AgentOutcome } from "./agent-loop";
import type { RankInput, Ranked } from "../agent/attempts/rank";

export type { RankInput, Ranked };

/** The verification pieces, injected so the service is tested with the real ones and the backend wires them. */
export interface AttemptsVerification {
  detectTestCommand(root: string): Promise<TestCommand>;
  /** Runs a command in the agent's OS sandbox on one copy; kills its process tree on timeout. */
  runTests?(input: { directory: string; command: string; timeoutMs: number; signal?: AbortSignal }): Promise<TestRun>;
  /** The execution-free verifier's p(YES) for an attempt. */
  score?(input: { task: string; diff: string; trajectory: string }, signal?: AbortSignal): Promise<VerifierScore>;
  rank(inputs: RankInput[]): Ranked;
}

export interface StartAttempts {
  workspace: string;
  task: string;
  attempts: number;
  testCommand?: string;
  isolation?: AttemptIsolation;
  mode?: PolicyMode;
  maxSteps: number;
  testTimeoutMs: number;
  /** Attempt i samples with seed base + i, so attempts differ at temperature 1.0. */
  baseSeed?: number;
}

/** How the reproduction tests are run: the script the reproduction step writes (the prompt says so). */
export const REPRO_COMMAND = `sh ${REPRO_DIR}/run.sh`;

export function reproductionPrompt(task: string): string {
  return [
    "Before anyone works on the task below, write reproduction tests for it. Do not fix anything.",
    `Put every file under the ${REPRO_DIR}/ folder, and write ${REPRO_DIR}/run.sh: a POSIX sh script, run from the workspace root,`,
    "that runs the tests and exits 0 only when the task is done correctly. Then answer with one line saying what the tests check.",
    "",
    "The task:",
    task,
  ].join("\n");
}

interface Live {
  run: AttemptsRun;
  controller: AbortController;
  /** The agent conversation working now (stop aborts it). */
  current: string | null;
  done: Promise<void>;
}

const TERMINAL_ATTEMPT = new Set(["done", "failed"]);

/** The folder of the run every attempt works in while its agent runs (see runAttempt). */
const WORK_DIR = "work";

/**
 * Best-of-N attempts (issue 17 part 2). A run makes an untouched base copy of the workspace, optional reproduction
 * tests in a scratch copy, then N attempts one after another through the agent loop, each in its own copy and
 * conversation; then verifies each (regression tests, reproduction tests, the verifier) and ranks them. The user's
 * workspace is touched only by apply, through checkpoints.
 */
export class AttemptsService {
  readonly store: AttemptsStore;
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly db: Db,
    private readonly agent: AgentService,
    private readonly dataDir: string,
    private readonly publish: (event: AppEvent) => void,
    private readonly verification: AttemptsVerification,
  ) {
    this.store = new AttemptsStore(db);
  }

  /** Marks the runs a quit cut off as stopped (at backend start). */
  recoverInterrupted(): number {
    return this.store.markInterrupted();
  }

  /** The workspace's saved test command, else the one detected from its files. */
  async detectTestCommand(workspace: string): Promise<TestCommand> {
    const root = await resolveWorkspaceRoot(workspace);
    const saved = this.agent.workspaceSettings.get(root).testCommand;
    return saved ? { command: saved, source: "workspace_setting" } : this.verification.detectTestCommand(root);
  }

  async start(options: StartAttempts): Promise<{ runId: string; done: Promise<void> }> {
    const root = await resolveWorkspaceRoot(options.workspace);
    const isolation = await chooseIsolation(root, options.isolation);
    const testCommand: TestCommand = options.testCommand ? { command: options.testCommand, source: "request" } : await this.detectTestCommand(root);
    const id = randomUUID();
    const runDir = this.runDir(id);
    await mkdir(runDir, { recursive: true, mode: 0o700 });
    const baseDir = join(runDir, "base");
    try {
      await createIsolatedCopy(root, baseDir, isolation);
    } catch (error) {
      await rm(runDir, { recursive: true, force: true });
      const failure = AppError.from(error);
      throw new AppError("bad_request", `The run could not start: ${failure.message}`, failure.details);
    }
    const attempts: Attempt[] = Array.from({ length: options.attempts }, (_, index) => ({
      index, state: "pending", conversationId: null, directory: null, failure: null, diff: "", changedFiles: [],
      regression: null, reproduction: null, verifier: null, rank: null, rankReasons: [],
    }));
    const run: AttemptsRun = { id, workspace: root, task: options.task, isolation, testCommand, state: "running", attempts, applied: null, error: null, createdAt: Date.now() };
    try {
      // A command the user set for this run is the workspace's from now on (shown, and editable, in its settings).
      if (options.testCommand) this.agent.workspaceSettings.update(root, { testCommand: options.testCommand });
      this.store.insert(run, baseDir);
    } catch (error) {
      await removeIsolatedCopy(root, baseDir, isolation).catch(() => undefined);
      await rm(runDir, { recursive: true, force: true });
      throw error;
    }
    const live: Live = { run, controller: new AbortController(), current: null, done: Promise.resolve() };
    this.live.set(id, live);
    this.changed(run);
    live.done = this.execute(live, options, baseDir).finally(() => this.live.delete(id));
    return { runId: id, done: live.done };
  }

  get(runId: string): AttemptsRun {
    return this.live.get(runId)?.run ?? this.store.get(runId);
  }

  async list(workspace?: string): Promise<AttemptsRun[]> {
    const root = workspace === undefined ? undefined : await resolveWorkspaceRoot(workspace).catch(() => workspace);
    return this.store.list(root).map((run) => this.live.get(run.id)?.run ?? run);
  }

  async stop(runId: string): Promise<void> {
    const live = this.live.get(runId);
    if (!live) return;
    live.controller.abort();
    if (live.current) await this.agent.stop(live.current);
    await live.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id)));
  }

  /** Writes attempt `index`'s changes into the workspace (revertable), then removes every copy. */
  async apply(runId: string, index: number): Promise<{ conversationId: string; checkpointIds: string[]; changedFiles: string[] }> {
    const run = this.settled(runId);
    if (run.state !== "ranked") throw new AppError("bad_request", `Only a ranked run can be applied; this one is ${run.state}.`, { reason: "run_not_ranked", runId });
    const attempt = run.attempts[index];
    if (!attempt || attempt.state !== "done" || !attempt.directory) {
      throw new AppError("bad_request", `Attempt ${index + 1} has no result to apply.`, { reason: "attempt_not_applicable", runId, index });
    }
    const baseDir = this.store.baseDir(runId);
    if (!baseDir) throw new AppError("not_found", "The run's base copy is gone.", { runId });
    const changes = await treeChanges(baseDir, attempt.directory);
    if (formatTreeDiff(changes) !== attempt.diff) {
      throw new AppError("bad_request", `Attempt ${index + 1}'s copy changed after it was verified (its tests wrote to it?); not applied.`, { reason: "attempt_changed", runId, index });
    }
    const conversation = this.agent.createApplyConversation(run.workspace, `Apply attempt ${index + 1} of ${run.attempts.length}: ${run.task}`);
    const applied = await applyChanges({
      db: this.db,
      workspace: run.workspace,
      checkpointDir: this.agent.checkpointDirOf(conversation.conversationId),
      conversationId: conversation.conversationId,
      assistantMessageId: conversation.assistantMessageId,
      changes,
    });
    run.applied = { index, conversationId: conversation.conversationId, checkpointIds: applied.checkpointIds };
    run.state = "applied";
    await this.removeCopies(run);
    this.changed(run);
    return { conversationId: conversation.conversationId, checkpointIds: applied.checkpointIds, changedFiles: applied.changedFiles };
  }

  async discard(runId: string): Promise<void> {
    const run = this.settled(runId);
    if (run.state === "applied" || run.state === "discarded") return;
    run.state = "discarded";
    await this.removeCopies(run);
    this.changed(run);
  }

  private settled(runId: string): AttemptsRun {
    if (this.live.has(runId)) throw new AppError("engine_busy", "The attempts are still running; stop them first.", { runId });
    return this.store.get(runId);
  }

  private async execute(live: Live, options: StartAttempts, baseDir: string): Promise<void> {
    const { run } = live;
    const signal = live.controller.signal;
    try {
      const reproDir = this.verification.runTests ? await this.writeReproduction(live, options, baseDir) : null;
      for (const attempt of run.attempts) {
        if (signal.aborted) break;
        await this.runAttempt(live, attempt, options, baseDir);
      }
      for (const attempt of run.attempts) {
        if (signal.aborted) break;
        if (attempt.state === "running") await this.verify(live, attempt, options, reproDir);
      }
      if (signal.aborted) {
        for (const attempt of run.attempts) if (!TERMINAL_ATTEMPT.has(attempt.state)) this.fail(attempt, "aborted", "Stopped before this attempt finished.");
        run.state = "stopped";
        run.error = "Stopped by the user.";
      } else {
        this.rank(run);
        run.state = "ranked";
      }
    } catch (error) {
      run.state = "failed";
      run.error = AppError.from(error).message;
    }
    const unsaved = this.changed(run);
    if (unsaved) {
      run.error = `${run.error ? `${run.error} ` : ""}The result could not be stored (${unsaved.message}); after a restart this run reads as stopped.`;
      this.changed(run);
    }
  }

  /** The reproduction step: its own conversation in a scratch copy; the folder it wrote, or null when it wrote none. */
  private async writeReproduction(live: Live, options: StartAttempts, baseDir: string): Promise<string | null> {
    const dir = join(this.runDir(live.run.id), "repro");
    try {
      await copyTree(baseDir, dir);
      const outcome = await this.runAgent(live, { workspace: dir, task: reproductionPrompt(options.task), mode: options.mode, maxSteps: options.maxSteps });
      if (outcome.outcome.reason === "aborted") return null;
      const written: string[] = await readdir(join(dir, REPRO_DIR)).catch(() => []);
      if (written.includes("run.sh")) return join(dir, REPRO_DIR);
    } catch {
      // No reproduction tests (a full disk, an agent error): the attempts are verified without them.
    }
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    return null;
  }

  /**
   * Every attempt works in the same folder (`work`), parked under its own number once its agent ends: the agent's
   * system prompt names the workspace, so with one path the attempts' prompts are identical up to the first answer
   * and the engine evaluates only what follows the prefix the previous attempt left in its KV cache.
   */
  private async runAttempt(live: Live, attempt: Attempt, options: StartAttempts, baseDir: string): Promise<void> {
    const { run } = live;
    const work = join(this.runDir(run.id), WORK_DIR);
    const parked = join(this.runDir(run.id), String(attempt.index));
    attempt.state = "running";
    this.changed(run);
    try {
      // A worktree from the repository at HEAD; a copy from the base copy, the workspace as it was at the start.
      await (run.isolation === "worktree" ? createIsolatedCopy(run.workspace, work, "worktree") : createIsolatedCopy(baseDir, work, "copy"));
    } catch (error) {
      const failure = isolationError(error);
      this.fail(attempt, (failure.details as { reason: "disk_full" | "isolation_failed" }).reason, failure.message);
      this.changed(run);
      return;
    }
    attempt.directory = work;
    const worked = await this.runAttemptAgent(live, attempt, options, work);
    try {
      await moveIsolatedCopy(run.workspace, work, parked, run.isolation);
      attempt.directory = parked;
      if (attempt.conversationId) this.agent.moveWorkspace(attempt.conversationId, parked);
    } catch (error) {
      // The next attempt needs `work`: this one's copy goes, and so does the attempt.
      await removeIsolatedCopy(run.workspace, work, run.isolation).catch(() => undefined);
      attempt.directory = null;
      if (worked) this.fail(attempt, "isolation_failed", `Could not keep the attempt's copy: ${AppError.from(error).message}`);
      this.changed(run);
      return;
    }
    if (worked) {
      try {
        const changes = await treeChanges(baseDir, parked);
        attempt.diff = formatTreeDiff(changes);
        attempt.changedFiles = changes.map((c) => c.path);
      } catch (error) {
        this.fail(attempt, "agent_error", `Could not read the attempt's changes: ${AppError.from(error).message}`);
      }
    }
    this.changed(run);
  }

  /** The attempt's agent run in `dir`: true when it ended well; else the attempt is marked failed. */
  private async runAttemptAgent(live: Live, attempt: Attempt, options: StartAttempts, dir: string): Promise<boolean> {
    try {
      const seed = options.baseSeed === undefined ? undefined : options.baseSeed + attempt.index;
      const { conversationId, outcome } = await this.runAgent(live, { workspace: dir, task: options.task, mode: options.mode, maxSteps: options.maxSteps, seed }, (id) => {
        attempt.conversationId = id;
        this.changed(live.run);
      });
      attempt.conversationId = conversationId;
      if (outcome.reason === "aborted") this.fail(attempt, "aborted", outcome.explanation);
      else if (outcome.reason === "error") {
        const crashed = /interrupted|crash|engine_/i.test(outcome.explanation);
        this.fail(attempt, crashed ? "engine_crashed" : "agent_error", outcome.explanation);
      } else return true;
    } catch (error) {
      const failure = AppError.from(error);
      this.fail(attempt, failure.code === "engine_crashed" ? "engine_crashed" : "agent_error", failure.message);
    }
    return false;
  }

  private async runAgent(
    live: Live,
    input: { workspace: string; task: string; mode: PolicyMode | undefined; maxSteps: number; seed?: number | undefined },
    onStarted?: (conversationId: string) => void,
  ): Promise<{ conversationId: string; outcome: AgentOutcome }> {
    const started = await this.agent.start({
      workspace: input.workspace,
      task: input.task,
      maxSteps: input.maxSteps,
      remember: false,
      ...(input.mode && { mode: input.mode }),
      ...(input.seed !== undefined && { seed: input.seed }),
    });
    live.current = started.conversationId;
    onStarted?.(started.conversationId);
    try {
      return { conversationId: started.conversationId, outcome: await started.done };
    } finally {
      live.current = null;
    }
  }

  private async verify(live: Live, attempt: Attempt, options: StartAttempts, reproDir: string | null): Promise<void> {
    const { run } = live;
    const { runTests, score } = this.verification;
    const signal = live.controller.signal;
    const dir = attempt.directory!;
    attempt.state = "verifying";
    this.changed(run);
    try {
      if (runTests && run.testCommand.command) {
        attempt.regression = await runTests({ directory: dir, command: run.testCommand.command, timeoutMs: options.testTimeoutMs, signal });
        this.changed(run);
      }
      if (runTests && reproDir) {
        await rm(join(dir, REPRO_DIR), { recursive: true, force: true });
        await copyTree(reproDir, join(dir, REPRO_DIR), new Set());
        attempt.reproduction = await runTests({ directory: dir, command: REPRO_COMMAND, timeoutMs: options.testTimeoutMs, signal });
        this.changed(run);
      }
      if (score && attempt.conversationId) {
        const trajectory = compactTrajectory(this.agent.trajectoryOf(attempt.conversationId));
        attempt.verifier = await score({ task: run.task, diff: attempt.diff, trajectory }, signal);
      }
      attempt.state = "done";
    } catch (error) {
      const failure = AppError.from(error);
      if (signal.aborted) this.fail(attempt, "aborted", "Stopped while it was verified.");
      else this.fail(attempt, failure.code === "engine_crashed" ? "engine_crashed" : "agent_error", `Verification failed: ${failure.message}`);
    }
    this.changed(run);
  }

  private rank(run: AttemptsRun): void {
    const counts = (t: TestRun | null) => (t ? { passed: t.passed, failed: t.failed } : null);
    const ranked = this.verification.rank(
      run.attempts.map((a) => ({ index: a.index, failed: a.state !== "done", verifier: a.verifier?.score ?? null, regression: counts(a.regression), reproduction: counts(a.reproduction) })),
    );
    for (const entry of ranked) {
      const attempt = run.attempts[entry.index];
      if (!attempt) continue;
      attempt.rank = attempt.state === "done" ? entry.rank : null;
      attempt.rankReasons = entry.reasons;
    }
  }

  private fail(attempt: Attempt, reason: NonNullable<Attempt["failure"]>["reason"], message: string): void {
    attempt.state = "failed";
    attempt.failure = { reason, message };
  }

  private async removeCopies(run: AttemptsRun): Promise<void> {
    for (const attempt of run.attempts) {
      if (attempt.directory) await removeIsolatedCopy(run.workspace, attempt.directory, run.isolation).catch(() => undefined);
      attempt.directory = null;
    }
    const base = this.store.baseDir(run.id);
    if (base) await removeIsolatedCopy(run.workspace, base, run.isolation).catch(() => undefined);
    await rm(this.runDir(run.id), { recursive: true, force: true });
  }

  /**
   * Beside the data folder, not in it: the data folder is hidden from every sandbox and refused by the path guard,
   * so an attempt's agent could neither write its copy nor run its tests there.
   */
  private runDir(runId: string): string {
    return join(`${this.dataDir}-attempts`, runId);
  }

  /**
   * Stored, then published: every state change of a run. A store that fails (a full disk) does not end the run:
   * each save writes the whole run, so the next one that succeeds catches up; the last one must succeed (execute).
   */
  private changed(run: AttemptsRun): AppError | null {
    let failure: AppError | null = null;
    try {
      this.store.save(run);
    } catch (error) {
      failure = AppError.from(error);
    }
    this.publish({ type: "attempts.updated", run: structuredClone(run) });
    return failure;
  }
}
