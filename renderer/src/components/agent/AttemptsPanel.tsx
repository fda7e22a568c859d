import { useMemo, useState } from "react";
import type { Attempt, AttemptsRun, TestRun } from "../../../../app/contract/attempts-api";
import { parseUnifiedDiff } from "../../../../app/agent/parse-unified-diff";
import { useAttemptsStore } from "../../stores/attempts-store";
import { useChatStore } from "../../stores/chat-store";
import { applyConfirmText, attemptStateLabel, canApply, canDiscard, fileDiffNote, fileDiffTitle, runStatusLabel, testRunView, verifierView } from "./attempts-view";
import { DiffCard } from "./DiffView";
import "./attempts.css";

/** A test run's outcome in one line, its per-test list and output behind a disclosure. */
function TestResult({ name, run }: { name: string; run: TestRun | null }) {
  const view = testRunView(run);
  return (
    <div className={`attempt-test test-${view.status}`} data-testid="attempt-test" data-kind={name} data-status={view.status}>
      <span className="attempt-test-status">{view.label}</span>
      {run && (run.tests.length > 0 || run.outputTail) && (
        <details className="attempt-test-details">
          <summary>{run.tests.length > 0 ? `${run.tests.length} test${run.tests.length === 1 ? "" : "s"}` : "output"}</summary>
          <code className="attempt-test-command">{run.command}</code>
          {run.tests.length > 0 && (
            <ul className="attempt-test-list">
              {run.tests.map((t, i) => (
                <li key={i} className={t.ok ? "test-ok" : "test-failed"}>
                  {t.ok ? "✓" : "✗"} {t.name}
                </li>
              ))}
            </ul>
          )}
          {run.outputTail && <pre className="attempt-test-output">{run.outputTail}</pre>}
        </details>
      )}
    </div>
  );
}

function AttemptColumn({ run, attempt }: { run: AttemptsRun; attempt: Attempt }) {
  const busy = useAttemptsStore((s) => s.busy);
  const [confirming, setConfirming] = useState(false);
  const files = useMemo(() => parseUnifiedDiff(attempt.diff), [attempt.diff]);
  const verifier = verifierView(attempt.verifier);
  const applied = run.applied?.index === attempt.index;
  const applicable = canApply(run, attempt);
  const settled = attempt.state === "done" || attempt.state === "failed";
  return (
    <article
      className={`attempt attempt-${attempt.state}${attempt.rank === 1 ? " attempt-best" : ""}${applied ? " attempt-applied" : ""}`}
      data-testid="attempt"
      data-index={attempt.index}
      data-state={attempt.state}
      data-rank={attempt.rank ?? ""}
      aria-label={`Attempt ${attempt.index + 1}`}
    >
      <header className="attempt-head">
        <h3>Attempt {attempt.index + 1}</h3>
        <span className="attempt-state" data-testid="attempt-state">
          {attemptStateLabel(attempt)}
        </span>
        {applied && <span className="badge loaded" data-testid="attempt-applied-badge">applied</span>}
      </header>
      {attempt.failure && (
        <p className="error attempt-failure" data-testid="attempt-failure">
          {attempt.failure.message}
        </p>
      )}
      <dl className="attempt-facts">
        <dt>Tests</dt>
        <dd>
          <TestResult name="regression" run={attempt.regression} />
        </dd>
        <dt>Reproduction</dt>
        <dd>
          <TestResult name="reproduction" run={attempt.reproduction} />
        </dd>
        <dt>Verifier</dt>
        <dd title={verifier.title} data-testid="attempt-verifier">
          {verifier.label}
        </dd>
        <dt>Rank</dt>
        <dd data-testid="attempt-rank">
          {attempt.rank ?? "—"}
          {attempt.rankReasons.length > 0 && (
            <ul className="attempt-reasons">
              {attempt.rankReasons.map((reason, i) => (
                <li key={i}>{reason}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <div className="attempt-actions">
        {applicable && !confirming && (
          <button type="button" className="primary" disabled={busy !== null} onClick={() => setConfirming(true)} data-testid="attempt-apply">
            Apply
          </button>
        )}
        {attempt.conversationId && (
          <button type="button" className="link-button" onClick={() => void useChatStore.getState().open(attempt.conversationId)} data-testid="attempt-trajectory">
            Open its conversation
          </button>
        )}
      </div>
      {confirming && applicable && (
        <div className="attempt-confirm" role="alertdialog" aria-label={`Apply attempt ${attempt.index + 1}`} data-testid="attempt-confirm">
          <p>{applyConfirmText(run, attempt)}</p>
          <div className="approval-buttons">
            <button
              type="button"
              className="primary"
              disabled={busy !== null}
              onClick={() => void useAttemptsStore.getState().apply(run.id, attempt.index).finally(() => setConfirming(false))}
              data-testid="attempt-apply-confirm"
            >
              Apply to the workspace
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <div className="attempt-diff" data-testid="attempt-diff">
        {files.map((file) => (
          <DiffCard key={file.path} path={file.path} title={fileDiffTitle(file)} hunks={file.hunks} note={fileDiffNote(file)} />
        ))}
        {files.length === 0 && settled && attempt.state === "done" && <p className="muted">No changes to the workspace.</p>}
      </div>
    </article>
  );
}

/** The closing line of a run: applied (and how to revert), discarded, stopped or failed. */
function RunOutcome({ run }: { run: AttemptsRun }) {
  if (run.state === "applied" && run.applied) {
    const attempt = run.attempts[run.applied.index];
    const files = attempt?.changedFiles.length ?? run.applied.checkpointIds.length;
    const conversationId = run.applied.conversationId;
    return (
      <p className="attempts-outcome ok" data-testid="attempts-outcome">
        Attempt {run.applied.index + 1} was applied to the workspace ({files} file{files === 1 ? "" : "s"}); the other copies were removed. It can be reverted from its Changed
        files panel (one checkpoint per file).{" "}
        <button type="button" className="link-button" onClick={() => void useChatStore.getState().open(conversationId)} data-testid="attempts-open-applied">
          Open the changes
        </button>
      </p>
    );
  }
  if (run.state === "discarded")
    return (
      <p className="attempts-outcome muted" data-testid="attempts-outcome">
        Discarded: every copy was removed and the workspace is as it was.
      </p>
    );
  if (run.error)
    return (
      <p className="attempts-outcome error" role="alert" data-testid="attempts-outcome">
        {run.error}
      </p>
    );
  return null;
}

/** A best-of-N run: the attempts side by side, live from attempts.updated, with Stop, Apply and Discard all. */
export function AttemptsPanel({ runId }: { runId: string }) {
  const run = useAttemptsStore((s) => s.runs.find((r) => r.id === runId));
  const busy = useAttemptsStore((s) => s.busy);
  if (!run) return <div className="attempts-panel loading" aria-busy="true" data-testid="attempts-panel" />;
  const tests = run.testCommand.command;
  return (
    <section className="attempts-panel" aria-label="Attempts" data-testid="attempts-panel" data-state={run.state}>
      <header className="attempts-head">
        <div className="attempts-title">
          <h2 title={run.task}>
            Best of {run.attempts.length}: {run.task.split("\n")[0]}
          </h2>
          <p className="muted">
            <code>{run.workspace}</code> · {run.isolation === "worktree" ? "each in a git worktree" : "each in a copy"} ·{" "}
            {tests ? (
              <>
                tests: <code data-testid="attempts-test-command">{tests}</code>
              </>
            ) : (
              "no test command"
            )}
          </p>
        </div>
        <span className={`attempts-status status-${run.state}`} data-testid="attempts-status">
          {runStatusLabel(run)}
        </span>
        <div className="attempts-buttons">
          {run.state === "running" && (
            <button type="button" disabled={busy !== null} onClick={() => void useAttemptsStore.getState().stop(run.id)} data-testid="attempts-stop">
              Stop
            </button>
          )}
          {canDiscard(run) && (
            <button type="button" disabled={busy !== null} onClick={() => void useAttemptsStore.getState().discard(run.id)} data-testid="attempts-discard">
              Discard all
            </button>
          )}
        </div>
      </header>
      <RunOutcome run={run} />
      <div className="attempts-columns" style={{ ["--attempts" as string]: run.attempts.length }}>
        {run.attempts.map((attempt) => (
          <AttemptColumn key={attempt.index} run={run} attempt={attempt} />
        ))}
      </div>
    </section>
  );
}
