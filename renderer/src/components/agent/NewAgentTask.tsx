import { useEffect, useId, useState } from "react";
import type { PolicyMode } from "../../../../app/agent/types";
import { MAX_ATTEMPTS, type AttemptIsolation, type TestCommand } from "../../../../app/contract/attempts-api";
import { client } from "../../client/client-instance";
import { errorMessage } from "../../lib/errors";
import { useAgentStore } from "../../stores/agent-store";
import { useAttemptsStore, type StartRefusal } from "../../stores/attempts-store";
import { toastError } from "../../stores/toast-store";
import { useModelsStore } from "../../stores/models-store";
import { modelName } from "../model/format";
import { ModelPanel } from "../model/ModelPanel";
import { ModeSelect } from "./ModeSelect";

/** The desktop app's folder dialog; the browser UI has only the path field. */
async function browseForFolder(): Promise<string | null> {
  try {
    return (await client().call("agent.pickWorkspace", {})).path;
  } catch (error) {
    toastError(errorMessage(error));
    return null;
  }
}

/** Starts an agent conversation: a workspace folder (typed, or one of the recent ones), the approval mode, max steps, the task. */
export function NewAgentTask() {
  const recent = useAgentStore((s) => s.recentWorkspaces);
  const loaded = useModelsStore((s) => s.loaded);
  const [workspace, setWorkspace] = useState(() => recent[0] ?? "");
  const [mode, setMode] = useState<PolicyMode>("ask");
  // A mode the user picked here wins over the one the workspace remembers.
  const [modeChosen, setModeChosen] = useState(false);
  const [maxSteps, setMaxSteps] = useState(100);
  const [task, setTask] = useState("");
  const [busy, setBusy] = useState(false);
  // 1: one agent run, as always; 2-8: best-of-N attempts, each verified and ranked.
  const [attempts, setAttempts] = useState(1);
  const [testCommand, setTestCommand] = useState("");
  const [detected, setDetected] = useState<TestCommand | null>(null);
  const [refusal, setRefusal] = useState<StartRefusal | null>(null);
  const id = useId();
  const desktop = client().transportKind === "electron";
  const ready = workspace.trim() !== "" && task.trim() !== "" && maxSteps >= 1 && loaded !== null && !busy;

  // A folder used before brings its own mode.
  useEffect(() => {
    const path = workspace.trim();
    if (!path || modeChosen) return;
    let live = true;
    const timer = setTimeout(() => {
      client()
        .call("agent.workspaceSettings", { workspace: path })
        .then((settings) => live && setMode(settings.mode))
        .catch(() => undefined); // not a folder (yet): the start says why
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [workspace, modeChosen]);

  const bestOfN = attempts >= 2;
  // Best-of-N shows the test command it would run (the workspace's saved one, else detected from its files); an
  // edited one is sent with the run, and the backend keeps it as the workspace's.
  useEffect(() => {
    const path = workspace.trim();
    setDetected(null);
    if (!path || !bestOfN) return;
    let live = true;
    const timer = setTimeout(() => {
      client()
        .call("attempts.detectTestCommand", { workspace: path })
        .then((found) => {
          if (!live) return;
          setDetected(found);
          setTestCommand(found.command ?? "");
        })
        .catch(() => undefined); // not a folder (yet): the start says why
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [workspace, bestOfN]);

  const startAttempts = async (isolation?: AttemptIsolation) => {
    setBusy(true);
    setRefusal(null);
    const command = testCommand.trim();
    const refused = await useAttemptsStore.getState().startRun({
      workspace: workspace.trim(), task: task.trim(), attempts, mode, maxSteps,
      // Sent only when it differs from what the backend would detect itself.
      ...(command && command !== detected?.command ? { testCommand: command } : {}),
      ...(isolation ? { isolation } : {}),
    });
    setRefusal(refused);
    setBusy(false);
  };

  const submit = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (!ready) return;
    if (attempts >= 2) return startAttempts();
    setBusy(true);
    await useAgentStore.getState().startTask({ workspace: workspace.trim(), task: task.trim(), mode, maxSteps });
    setBusy(false);
  };

  return (
    <div className="new-agent-task" data-testid="new-agent-task">
      <h2>New agent task</h2>
      <p className="muted">The model works on a folder through tools. Reads run; what the mode says asks for your approval first. Commands run in the OS sandbox.</p>
      {loaded === null ? (
        <ModelPanel />
      ) : (
        // With a model loaded the form still offers the library (switch before starting), folded away.
        <details className="agent-model" data-testid="agent-model">
          <summary>
            Model: <strong>{modelName(loaded)}</strong> · {loaded.report.quantization} — change
          </summary>
          <ModelPanel />
        </details>
      )}
      <form onSubmit={(e) => void submit(e)} className="agent-form">
        <label htmlFor={`${id}-ws`}>Workspace folder</label>
        <input
          id={`${id}-ws`}
          type="text"
          list={`${id}-recent`}
          value={workspace}
          placeholder="/path/to/project"
          spellCheck={false}
          onChange={(e) => setWorkspace(e.target.value)}
          data-testid="agent-workspace"
        />
        {desktop && (
          <button type="button" className="browse-folder" onClick={() => void browseForFolder().then((path) => path && setWorkspace(path))} data-testid="agent-browse">
            Browse…
          </button>
        )}
        <datalist id={`${id}-recent`}>
          {recent.map((path) => (
            <option key={path} value={path} />
          ))}
        </datalist>
        {recent.length > 0 && (
          <div className="recent-workspaces" aria-label="Recent workspaces">
            {recent.slice(0, 5).map((path) => (
              <button key={path} type="button" className="link-button" onClick={() => setWorkspace(path)} data-testid="recent-workspace">
                {path}
              </button>
            ))}
          </div>
        )}
        <label htmlFor={`${id}-mode`}>Approval mode</label>
        <ModeSelect
          id={`${id}-mode`}
          value={mode}
          onChange={(value) => {
            setModeChosen(true);
            setMode(value);
          }}
        />
        <label htmlFor={`${id}-steps`}>Max steps</label>
        <input
          id={`${id}-steps`}
          type="number"
          min={1}
          max={10000}
          value={maxSteps}
          onChange={(e) => setMaxSteps(Math.max(1, Math.min(10_000, Math.trunc(Number(e.target.value)) || 1)))}
          data-testid="agent-max-steps"
        />
        <label htmlFor={`${id}-attempts`}>Attempts</label>
        <input
          id={`${id}-attempts`}
          className="attempts-count"
          type="number"
          min={1}
          max={MAX_ATTEMPTS}
          value={attempts}
          onChange={(e) => setAttempts(Math.max(1, Math.min(MAX_ATTEMPTS, Math.trunc(Number(e.target.value)) || 1)))}
          data-testid="agent-attempts"
        />
        <p className="muted attempts-note">
          {attempts === 1
            ? `One run in the folder itself. 2–${MAX_ATTEMPTS}: that many attempts, each in its own copy, tested, scored and ranked; you apply one.`
            : `${attempts} attempts, one after another, each in its own copy; nothing in the folder changes until you apply one.`}
        </p>
        {attempts >= 2 && (
          <>
            <label htmlFor={`${id}-tests`}>Test command</label>
            <div className="test-command-row">
              <input
                id={`${id}-tests`}
                type="text"
                value={testCommand}
                placeholder="none: no regression tests run"
                spellCheck={false}
                onChange={(e) => setTestCommand(e.target.value)}
                data-testid="agent-test-command"
              />
              <span className="muted" data-testid="agent-test-command-source">
                {detected === null ? "" : detected.command === null ? "none detected" : testCommand.trim() === detected.command ? `from ${detected.source.replace("_", " ")}` : "edited"}
              </span>
            </div>
          </>
        )}
        <label htmlFor={`${id}-task`}>Task</label>
        <textarea
          id={`${id}-task`}
          rows={4}
          value={task}
          placeholder="What should the model do in this folder?"
          onChange={(e) => setTask(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit(e);
          }}
          data-testid="agent-task"
        />
        {refusal && (
          <div className="agent-refusal" role="alert" data-testid="attempts-refusal">
            <p className="error">{refusal.message}</p>
            {refusal.offerCopy && (
              <button type="button" disabled={busy} onClick={() => void startAttempts("copy")} data-testid="attempts-use-copy">
                Use a copy instead
              </button>
            )}
          </div>
        )}
        <div className="agent-form-buttons">
          <button type="submit" className="primary" disabled={!ready} data-testid="agent-start">
            {attempts >= 2 ? `Start ${attempts} attempts` : "Start agent"}
          </button>
          <button type="button" onClick={() => useAgentStore.getState().closeNewTask()}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
