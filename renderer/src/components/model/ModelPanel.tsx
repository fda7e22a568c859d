import { useEffect, useId, useState } from "react";
import type { GpuChoice, LoadOptions } from "../../../../app/contract";
import { useModelsStore } from "../../stores/models-store";
import { formatBytes, memoryLabel, modelName, promptFormatFact } from "./format";
import { formatInt } from "../../lib/format";
import { AUTO_CHOICES, contextSize, offloadChoice, planParams, type PlanChoices } from "./load-choices";
import { LoadPlanner, needsConfirm } from "./LoadPlanner";
import { LibraryPicker, failureLabel } from "./LibraryPicker";
import { isLoadedPath, normalPath } from "../../lib/model-paths";

/** Re-plan this long after the last change (typing a path, dragging the slider). */
const PLAN_DEBOUNCE_MS = 300;

/** What is loaded (and Unload); the library's models; open a local GGUF by path; recent paths. Watch a load, cancel it. */
export function ModelPanel() {
  const loaded = useModelsStore((s) => s.loaded);
  const loadingPath = useModelsStore((s) => s.loadingPath);
  const progress = useModelsStore((s) => s.progress);
  const error = useModelsStore((s) => s.error);
  const lostInCrash = useModelsStore((s) => s.lostInCrash);
  const recents = useModelsStore((s) => s.recents);
  const failures = useModelsStore((s) => s.failures);
  const [path, setPath] = useState(() => recents[0] ?? "");
  const [gpu, setGpu] = useState<GpuChoice>("auto");
  const [context, setContext] = useState("");
  const [choices, setChoices] = useState<PlanChoices>(AUTO_CHOICES);
  const [confirmed, setConfirmed] = useState(false);
  const plan = useModelsStore((s) => s.plan);
  const planError = useModelsStore((s) => s.planError);
  const planning = useModelsStore((s) => s.planning);
  const inputId = useId();
  const gpuId = useId();
  const contextId = useId();
  const trimmedPath = path.trim();

  // Re-plan (debounced) whenever a choice changes; a changed plan needs a fresh confirm.
  useEffect(() => {
    setConfirmed(false);
    const store = useModelsStore.getState();
    if (trimmedPath === "") {
      store.clearPlan();
      return;
    }
    const timer = setTimeout(() => void store.requestPlan(planParams(trimmedPath, gpu, context, choices)), PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [trimmedPath, gpu, context, choices]);

  const options = (): LoadOptions => {
    const ctx = contextSize(context);
    return { gpu, offload: offloadChoice(choices), ...(ctx !== undefined ? { contextSize: ctx } : {}), ...(confirmed ? { acceptRisk: true } : {}) };
  };
  const blockedByRisk = needsConfirm(plan) && !confirmed;
  const loading = loadingPath !== null;
  const promptFormat = loaded ? promptFormatFact(loaded) : undefined;
  const percent = Math.round((progress ?? 0) * 100);

  return (
    <section className="model-panel" aria-label="Model" data-testid="model-panel">
      {loaded ? (
        <dl className="facts model-facts" data-testid="loaded-model">
          <dt>Model</dt>
          <dd title={loaded.report.path}>{modelName(loaded)}</dd>
          <dt>Architecture</dt>
          <dd>
            {loaded.report.architecture} · {loaded.report.quantization} · {formatBytes(loaded.report.fileSizeBytes)}
          </dd>
          <dt>Prompt</dt>
          <dd data-testid="loaded-template">{promptFormat?.fact}</dd>
          <dt>Context</dt>
          <dd>{formatInt(loaded.contextSize)} tokens</dd>
          <dt>Backend</dt>
          <dd>
            {loaded.backend.backend} · {memoryLabel(loaded)}
          </dd>
          {loaded.offload && (
            <>
              <dt>Split</dt>
              <dd data-testid="loaded-split" title={loaded.offload.explanation}>
                {loaded.offload.split}
              </dd>
            </>
          )}
          <dt>Memory</dt>
          <dd>
            <button type="button" onClick={() => void useModelsStore.getState().unload()} disabled={loading} data-testid="model-unload">
              Unload to free it
            </button>
          </dd>
        </dl>
      ) : (
        <p className="muted">{lostInCrash ? "The engine restarted; the model reloads with the next message." : "No model loaded."}</p>
      )}
      <LibraryPicker gpu={gpu} />
      <form
        className="model-open"
        onSubmit={(e) => {
          e.preventDefault();
          void useModelsStore.getState().load(path, options());
        }}
      >
        <label htmlFor={inputId}>Open a GGUF…</label>
        <div className="row">
          <input id={inputId} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/MiniMax-M2-Q4_K_M.gguf" spellCheck={false} data-testid="model-path" />
          <button type="submit" className="primary" disabled={loading || trimmedPath === "" || blockedByRisk} data-testid="model-load">
            Load
          </button>
        </div>
        <div className="row load-options">
          <label htmlFor={gpuId}>Backend</label>
          <select id={gpuId} value={gpu} onChange={(e) => setGpu(e.target.value as GpuChoice)} data-testid="model-gpu">
            <option value="auto">Auto</option>
            <option value="cuda">CUDA</option>
            <option value="vulkan">Vulkan</option>
            <option value="metal">Metal</option>
            <option value="cpu">CPU only</option>
          </select>
          <label htmlFor={contextId}>Context</label>
          <input id={contextId} type="number" min={256} step={256} value={context} onChange={(e) => setContext(e.target.value)} placeholder="model default" className="context-input" />
        </div>
        <LoadPlanner plan={plan} planError={planError} planning={planning} choices={choices} onChoices={setChoices} confirmed={confirmed} onConfirmed={setConfirmed} />
      </form>
      {promptFormat?.notice && (
        <p className="notice" data-testid="template-notice">
          {promptFormat.notice}
        </p>
      )}
      {loaded?.offload?.fallbackReason && (
        <p className="notice" data-testid="offload-fallback">
          {loaded.offload.fallbackReason}
        </p>
      )}
      {loading && (
        <div className="load-progress" data-testid="model-loading">
          <div className="progress" role="progressbar" aria-label={`Loading ${loadingPath}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <span style={{ width: `${percent}%` }} />
          </div>
          <span>{percent}%</span>
          <button type="button" onClick={() => void useModelsStore.getState().cancel()} data-testid="model-cancel">
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {recents.length > 0 && (
        <div className="recents">
          <h3>Recent</h3>
          <ul>
            {recents.map((p) => (
              <li key={p} data-testid="recent-model" data-path={p}>
                <button type="button" className="link-button recent-path" disabled={loading} title={p} onClick={() => (setPath(p), void useModelsStore.getState().load(p, { gpu, offload: { mode: "auto" } }))}>
                  {p.split(/[\\/]/).pop()}
                  {isLoadedPath(loaded, p) && (
                    <span className="badge loaded" data-testid="recent-loaded">
                      Loaded
                    </span>
                  )}
                  <small>{p}</small>
                  {failures[normalPath(p)] && (
                    <small className="error" data-testid="recent-failure">
                      {failureLabel(failures[normalPath(p)]!)}
                    </small>
                  )}
                </button>
                <button type="button" className="icon-button" aria-label={`Forget ${p}`} onClick={() => useModelsStore.getState().forget(p)}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
