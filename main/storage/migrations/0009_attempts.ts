/**
 * Best-of-N attempts (issue 17 part 2): one row per run and one per attempt, so attempts.list/get survive a
 * restart. Each attempt's results (diff, test runs, verifier score, rank) are one JSON document in the
 * contract's Attempt shape; the run keeps what it needs to go on (its base copy, its options).
 */
export default `
CREATE TABLE attempt_runs (
  id TEXT PRIMARY KEY,
  workspace TEXT NOT NULL,
  task TEXT NOT NULL,
  isolation TEXT NOT NULL CHECK (isolation IN ('worktree', 'copy')),
  test_command TEXT NOT NULL CHECK (json_valid(test_command)),
  state TEXT NOT NULL CHECK (state IN ('running', 'ranked', 'applied', 'discarded', 'failed', 'stopped')),
  applied TEXT CHECK (applied IS NULL OR json_valid(applied)),
  error TEXT,
  base_dir TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attempt_runs_by_workspace ON attempt_runs(workspace, created_at);
CREATE TABLE attempts (
  run_id TEXT NOT NULL REFERENCES attempt_runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  attempt TEXT NOT NULL CHECK (json_valid(attempt)),
  PRIMARY KEY (run_id, idx)
) STRICT;
`;
