import { useId, useState } from "react";
import type { GpuChoice, LoadOptions } from "../../../../app/contract";
import { useModelsStore } from "../../stores/models-store";
import { formatBytes, memoryLabel, modelName } from "./format";
import { formatInt } from "../../lib/format";

/** Open a local GGUF by path (with recent paths), watch it load, cancel; and what is loaded. */
export function ModelPanel() {
  const loaded = useModelsStore((s) => s.loaded);
  const loadingPath = useModelsStore((s) => s.loadingPath);
  const progress = useModelsStore((s) => s.progress);
  const error = useModelsStore((s) => s.error);
  const lostInCrash = useModelsStore((s) => s.lostInCrash);
  const recents = useModelsStore((s) => s.recents);
  const [path, setPath] = useState(() => recents[0] ?? "");
  const [gpu, setGpu] = useState<GpuChoice>("auto");
  const [context, setContext] = useState("");
  const inputId = useId();
  const gpuId = useId();
  const contextId = useId();
  const options = (): LoadOptions => {
    const contextSize = Number(context);
    return { gpu, ...(context.trim() && Number.isInteger(contextSize) && contextSize >= 256 ? { contextSize } : {}) };
  };
  const loading = loadingPath !== null;
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
          <dt>Context</dt>
          <dd>{formatInt(loaded.contextSize)} tokens</dd>
          <dt>Backend</dt>
          <dd>
            {loaded.backend.backend} · {memoryLabel(loaded)}
          </dd>
        </dl>
      ) : (
        <p className="muted">{lostInCrash ? "The engine restarted; the model reloads with the next message." : "No model loaded."}</p>
      )}
      <form
        className="model-open"
        onSubmit={(e) => {
          e.preventDefault();
          void useModelsStore.getState().load(path, options());
        }}
      >
        <label htmlFor={inputId}>Open a local GGUF</label>
        <div className="row">
          <input id={inputId} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/MiniMax-M2-Q4_K_M.gguf" spellCheck={false} data-testid="model-path" />
          <button type="submit" className="primary" disabled={loading || path.trim() === ""} data-testid="model-load">
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
      </form>
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
              <li key={p}>
                <button type="button" className="link-button recent-path" disabled={loading} title={p} onClick={() => (setPath(p), void useModelsStore.getState().load(p, options()))}>
                  {p.split(/[\\/]/).pop()}
                  <small>{p}</small>
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
