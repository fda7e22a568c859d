import { useEffect, useId, useRef, useState } from "react";
import type { LibraryModel } from "../../../../app/contract/downloads-api";
import { MODEL_INVALID_LABEL } from "../../../../app/contract/model-invalid";
import { useUiStore } from "../../stores/ui-store";
import { useLibraryStore } from "../../stores/library-store";
import { useModelsStore } from "../../stores/models-store";
import { formatInt } from "../../lib/format";
import { fileName, formatSize } from "./labels";
import { VerdictBadge } from "./VerdictBadge";
import { failureLabel, libraryQuant, libraryTitle, useLoadFailure } from "../model/LibraryPicker";
import { isLoadedPath } from "../../lib/model-paths";

const STATUS_LABEL: Record<LibraryModel["status"], string> = {
  ready: "Ready",
  incomplete: "Incomplete: not all files are verified",
  changed: "Changed on disk since it was verified",
  unsynced: "The machine restarted before all of it was on disk: it is hashed again at start, and if it does not match, download it again",
  missing: "Files missing",
  invalid: "Refused by the validator: it cannot load",
};

function modelTitle(model: LibraryModel): string {
  return model.repo ? `${libraryTitle(model)} ${libraryQuant(model)}` : fileName(model.path);
}

function LibraryItem({ model, onDeleted }: { model: LibraryModel; onDeleted: (text: string) => void }) {
  const loadedModel = useModelsStore((s) => s.loaded);
  const failure = useLoadFailure(model.path);
  const loadingPath = useModelsStore((s) => s.loadingPath);
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const headingId = useId();
  const title = modelTitle(model);
  const isLoaded = isLoadedPath(loadedModel, model.path);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const remove = async () => {
    setConfirming(false);
    const freed = await useLibraryStore.getState().remove(model.id);
    if (freed !== null) onDeleted(model.external ? `Removed ${title} from the library; its files were left in place.` : `Deleted ${title}: freed ${formatSize(freed)}.`);
  };
  return (
    <li className="library-model" aria-labelledby={headingId} data-testid="library-model" data-path={model.path}>
      <div className="library-head">
        <h3 id={headingId}>{title}</h3>
        <VerdictBadge fit={model.fit} />
        {isLoaded && <span className="badge loaded" data-testid="library-loaded">Loaded</span>}
      </div>
      <dl className="facts">
        <dt>File</dt>
        <dd><code>{model.path}</code>{model.external ? " (imported by reference)" : ""}</dd>
        <dt>Model</dt>
        <dd>
          {model.architecture ?? "unknown architecture"} · {libraryQuant(model)} · {formatSize(model.totalBytes)} · {model.parts} file{model.parts === 1 ? "" : "s"}
        </dd>
        <dt>Context</dt>
        <dd>{model.contextLength ? `${formatInt(model.contextLength)} tokens trained` : "unknown"}</dd>
        <dt>Experts</dt>
        <dd>{model.expertCount ? `${model.expertUsedCount ?? "?"} of ${model.expertCount} per token` : "dense"}</dd>
        <dt>Status</dt>
        <dd data-testid="library-status">{STATUS_LABEL[model.status]}</dd>
        {model.invalid && (
          <>
            <dt>Why</dt>
            <dd role="alert" data-testid="library-invalid">{MODEL_INVALID_LABEL[model.invalid.reason]}: {model.invalid.message}</dd>
          </>
        )}
        {failure && (
          <>
            <dt>Last load</dt>
            <dd role="alert" className="error" data-testid="library-failure">
              {failureLabel(failure)}
            </dd>
          </>
        )}
        <dt>Last used</dt>
        <dd>{model.lastUsedAt ? new Date(model.lastUsedAt).toLocaleString() : "never"}</dd>
      </dl>
      <div className="row">
        {isLoaded && (
          <button type="button" onClick={() => void useModelsStore.getState().unload()} aria-label={`Unload ${title}`} data-testid="library-unload">
            Unload
          </button>
        )}
        <button
          type="button"
          className="primary"
          disabled={!model.ready || isLoaded || loadingPath !== null}
          onClick={() => void useModelsStore.getState().load(model.path)}
          aria-label={`Load ${title}`}
          data-testid="library-load"
        >
          {loadingPath === model.path ? "Loading…" : isLoaded ? "Loaded" : "Load"}
        </button>
        {!confirming ? (
          <button type="button" className="icon-button danger" onClick={() => setConfirming(true)} aria-label={`Delete ${title}`} data-testid="library-delete">
            Delete
          </button>
        ) : (
          <div role="group" aria-label={`Confirm deleting ${title}`} className="row confirm" onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}>
            <span>{model.external ? "Remove from the library (files stay)?" : `Delete ${formatSize(model.totalBytes)} from disk?`}</span>
            <button ref={confirmButton} type="button" className="icon-button danger" onClick={() => void remove()} data-testid="library-delete-confirm">
              {model.external ? "Remove" : "Delete"}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        )}
      </div>
    </li>
  );
}

/** Models on disk: what each one is, whether it fits, Load and Delete; plus import and scan. */
export function LibrarySection() {
  const models = useLibraryStore((s) => s.models);
  const loaded = useLibraryStore((s) => s.loaded);
  const error = useLibraryStore((s) => s.error);
  const loadError = useModelsStore((s) => s.error);
  const [notice, setNotice] = useState("");
  const [path, setPath] = useState("");
  const [copy, setCopy] = useState(false);
  const pathId = useId();
  return (
    <section className="models-section" aria-labelledby="library-title">
      <div className="section-head">
        <h2 id="library-title">Library</h2>
        <button type="button" onClick={() => void useLibraryStore.getState().scan()} data-testid="library-scan">
          Scan models folder
        </button>
      </div>
      <p role="status" className="muted" data-testid="library-notice">{notice}</p>
      {error && <p role="alert" className="error" data-testid="library-error">{error}</p>}
      {loadError && <p role="alert" className="error">{loadError}</p>}
      {loaded && models.length === 0 && (
        <p className="muted">
          No models yet: download one from the{" "}
          <button type="button" className="link-button" onClick={() => useUiStore.getState().setModelsTab("catalog")} data-testid="library-browse-catalog">
            catalog
          </button>{" "}
          or import a GGUF.
        </p>
      )}
      <ul className="library" data-testid="library">
        {models.map((m) => <LibraryItem key={m.id} model={m} onDeleted={setNotice} />)}
      </ul>
      <form
        className="library-import"
        onSubmit={(e) => {
          e.preventDefault();
          void useLibraryStore.getState().importPath(path.trim(), copy ? "copy" : "reference").then((ok) => ok && setPath(""));
        }}
      >
        <label htmlFor={pathId}>Import a GGUF from this computer</label>
        <div className="row">
          <input id={pathId} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/model.gguf" spellCheck={false} data-testid="library-import-path" />
          <label className="inline">
            <input type="checkbox" checked={copy} onChange={(e) => setCopy(e.target.checked)} /> Copy into the models folder
          </label>
          <button type="submit" disabled={path.trim() === ""}>Import</button>
        </div>
      </form>
    </section>
  );
}
