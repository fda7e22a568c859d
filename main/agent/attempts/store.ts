import { AttemptSchema, AttemptsRunSchema, TestCommandSchema, type Attempt, type AttemptsRun } from "../../../app/contract/attempts-api";
import { AppError } from "../../../app/contract/errors";
import type { Db } from "../../storage/database";

/** Attempt runs in SQLite (migration 9); every change is written before it is published. */
export class AttemptsStore {
  constructor(private readonly db: Db) {}

  insert(run: AttemptsRun, baseDir: string | null): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO attempt_runs (id, workspace, task, isolation, test_command, state, applied, error, base_dir, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(run.id, run.workspace, run.task, run.isolation, JSON.stringify(run.testCommand), run.state, null, run.error, baseDir, run.createdAt);
      for (const attempt of run.attempts) this.db.prepare("INSERT INTO attempts (run_id, idx, attempt) VALUES (?, ?, ?)").run(run.id, attempt.index, JSON.stringify(attempt));
    })();
  }

  /** Writes the run's state and every attempt as they are now. */
  save(run: AttemptsRun): void {
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE attempt_runs SET state = ?, applied = ?, error = ? WHERE id = ?")
        .run(run.state, run.applied ? JSON.stringify(run.applied) : null, run.error, run.id);
      for (const attempt of run.attempts) this.db.prepare("UPDATE attempts SET attempt = ? WHERE run_id = ? AND idx = ?").run(JSON.stringify(attempt), run.id, attempt.index);
    })();
  }

  baseDir(runId: string): string | null {
    const row = this.db.prepare("SELECT base_dir FROM attempt_runs WHERE id = ?").get(runId) as { base_dir: string | null } | undefined;
    return row?.base_dir ?? null;
  }

  get(runId: string): AttemptsRun {
    const row = this.db.prepare("SELECT * FROM attempt_runs WHERE id = ?").get(runId) as Record<string, unknown> | undefined;
    if (!row) throw new AppError("not_found", "That attempts run does not exist.", { runId });
    return this.toRun(row);
  }

  list(workspace?: string): AttemptsRun[] {
    const rows = (workspace === undefined
      ? this.db.prepare("SELECT * FROM attempt_runs ORDER BY created_at DESC, rowid DESC").all()
      : this.db.prepare("SELECT * FROM attempt_runs WHERE workspace = ? ORDER BY created_at DESC, rowid DESC").all(workspace)) as Array<Record<string, unknown>>;
    return rows.map((row) => this.toRun(row));
  }

  /** Runs a quit cut off: stopped, with their unfinished attempts marked aborted. Returns how many. */
  markInterrupted(): number {
    const ids = (this.db.prepare("SELECT id FROM attempt_runs WHERE state = 'running'").all() as Array<{ id: string }>).map((r) => r.id);
    for (const id of ids) {
      const run = this.get(id);
      run.state = "stopped";
      run.error = "The app quit while the attempts were running.";
      for (const attempt of run.attempts) {
        if (attempt.state === "pending" || attempt.state === "running" || attempt.state === "verifying") {
          attempt.state = "failed";
          attempt.failure = { reason: "aborted", message: "The app quit before this attempt finished." };
        }
      }
      this.save(run);
    }
    return ids.length;
  }

  private toRun(row: Record<string, unknown>): AttemptsRun {
    const attempts = (this.db.prepare("SELECT attempt FROM attempts WHERE run_id = ? ORDER BY idx").all(row.id) as Array<{ attempt: string }>).map(
      (r): Attempt => AttemptSchema.parse(JSON.parse(r.attempt)),
    );
    return AttemptsRunSchema.parse({
      id: row.id,
      workspace: row.workspace,
      task: row.task,
      isolation: row.isolation,
      testCommand: TestCommandSchema.parse(JSON.parse(row.test_command as string)),
      state: row.state,
      attempts,
      applied: row.applied ? JSON.parse(row.applied as string) : null,
      error: row.error ?? null,
      createdAt: row.created_at,
    });
  }
}
