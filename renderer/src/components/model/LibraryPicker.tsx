import type { GpuChoice, LoadFailure } from "../../../../app/contract";
import type { LibraryModel } from "../../../../app/contract/downloads-api";
import { isLoadedPath, normalPath } from "../../lib/model-paths";
import { useLibraryStore } from "../../stores/library-store";
import { useModelsStore } from "../../stores/models-store";
import { fileName, formatSize } from "../models/labels";
import { VerdictBadge } from "../models/VerdictBadge";

/** "owner/repo" for a download, else the file name. */
export function libraryTitle(model: LibraryModel): string {
  return model.repo ?? fileName(model.path);
}

/** The quant its header declares; the name's label only when the header could not be read. */
export function libraryQuant(model: LibraryModel): string {
  return model.fileQuant ?? model.quant ?? "unknown quant";
}

export function lastUsedLabel(at: number | null, now = Date.now()): string {
  if (at === null) return "never used";
  const minutes = Math.round((now - at) / 60_000);
  if (minutes < 1) return "used just now";
  if (minutes < 60) return `used ${minutes} min ago`;
  if (minutes < 48 * 60) return `used ${Math.round(minutes / 60)} h ago`;
  return `used ${new Date(at).toLocaleDateString()}`;
}

export function failureLabel(failure: LoadFailure): string {
  return `failed to load: ${failure.reason}`;
}

/** The failure recorded for `path`, if its last load took the engine down. */
export function useLoadFailure(path: string): LoadFailure | undefined {
  return useModelsStore((s) => s.failures[normalPath(path)]);
}

function PickerRow({ model, gpu }: { model: LibraryModel; gpu: GpuChoice }) {
  const loaded = useModelsStore((s) => s.loaded);
  const loadingPath = useModelsStore((s) => s.loadingPath);
  const failure = useLoadFailure(model.path);
  const isLoaded = isLoadedPath(loaded, model.path);
  const title = libraryTitle(model);
  const quant = libraryQuant(model);
  return (
    <li className={`picker-model${isLoaded ? " loaded" : ""}`} data-testid="picker-model" data-path={model.path}>
      <div className="picker-main">
        <span className="picker-name" title={model.path}>
          {title} <strong>{quant}</strong>
        </span>
        <span className="picker-meta muted">
          {formatSize(model.totalBytes)} · {lastUsedLabel(model.lastUsedAt)}
          {!model.ready && ` · ${model.status}`}
        </span>
        {failure && (
          <span className="picker-failure error" data-testid="picker-failure" title={failure.reason}>
            {failureLabel(failure)}
          </span>
        )}
      </div>
      <VerdictBadge fit={model.fit} />
      {isLoaded ? (
        <button type="button" onClick={() => void useModelsStore.getState().unload()} aria-label={`Unload ${title} ${quant}`} data-testid="picker-unload">
          Unload
        </button>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={!model.ready || loadingPath !== null}
          onClick={() => void useModelsStore.getState().load(model.path, { gpu, offload: { mode: "auto" } })}
          aria-label={`Load ${title} ${quant}`}
          data-testid="picker-load"
        >
          {loadingPath !== null && normalPath(loadingPath) === normalPath(model.path) ? "Loading…" : "Load"}
        </button>
      )}
    </li>
  );
}

/** The downloaded models, the loaded one and the most recently used first: the picker's first choice. */
export function LibraryPicker({ gpu }: { gpu: GpuChoice }) {
  const models = useLibraryStore((s) => s.models);
  if (models.length === 0) return null;
  const sorted = [...models].sort((a, b) => Number(b.ready) - Number(a.ready) || (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0));
  return (
    <div className="picker-library">
      <h3>Library</h3>
      <ul className="picker-list" data-testid="picker-library">
        {sorted.map((m) => (
          <PickerRow key={m.id} model={m} gpu={gpu} />
        ))}
      </ul>
    </div>
  );
}
