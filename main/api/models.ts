import { basename } from "node:path";
import { AppError, type LoadedModel } from "../../app/contract";
import type { ModelService } from "../services/model-service";

/** A library model as the API names it: `owner/repo:QUANT`, or the file name for imported files. */
export interface NamedModel {
  id: string;
  path: string;
}

export interface ModelDeps {
  models: ModelService;
  /** The downloaded and imported models (the app's library). */
  library: () => Promise<NamedModel[]>;
}

export function fileModelId(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

function loadedId(loaded: LoadedModel, library: readonly NamedModel[]): string {
  return library.find((m) => m.path === loaded.report.path)?.id ?? fileModelId(loaded.report.path);
}

/** `GET /v1/models`: the loaded model first, then the rest of the library. */
export async function listModelIds(deps: ModelDeps): Promise<string[]> {
  const library = await deps.library();
  const loaded = deps.models.current();
  const ids = loaded ? [loadedId(loaded, library)] : [];
  for (const model of library) if (!ids.includes(model.id)) ids.push(model.id);
  return ids;
}

/**
 * Which model answers `requested`: the loaded one, for its own name or any name the library does
 * not know (Claude Code asks for `claude-…`). A library model that is not loaded is refused (409):
 * loading one from a request is not built yet.
 */
export async function resolveModel(deps: ModelDeps, requested: string): Promise<string> {
  const library = await deps.library();
  const current = deps.models.current();
  const named = library.find((m) => m.id === requested || fileModelId(m.path) === requested);
  if (named && named.path !== current?.report.path) {
    throw new AppError("model_not_loaded", `Model ${requested} is in the library but not loaded. Load it in M2 Desktop (or m2d serve --model) first.`, {
      requested,
    });
  }
  // Reloads a model a crash unloaded; with none, a clear model_not_loaded.
  const loaded = await deps.models.ensureLoaded();
  return loadedId(loaded, library);
}
