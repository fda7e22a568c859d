import { basename } from "node:path";
import { AppError, type LoadedModel } from "../../app/contract";
import type { ModelService } from "../services/model-service";
import { HttpError } from "./errors";

/** A library model as the API names it: `owner/repo:QUANT`, or the file name for imported files. */
export interface NamedModel {
  id: string;
  path: string;
}

export interface ModelDeps {
  models: ModelService;
  /** Loads a library model with the planner's auto plan: the app's own load (the same checks and bookkeeping). */
  load: (path: string) => Promise<LoadedModel>;
  /** The downloaded and imported models (the app's library). */
  library: () => Promise<NamedModel[]>;
  /** Told which model answers a request (the request log). */
  onResolved?: (id: string) => void;
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
 * not know (Claude Code asks for `claude-…`). A library model that is not loaded is loaded first,
 * with the planner's auto plan; a load that is refused, fails or finds another load running is a 409
 * saying why, and what was loaded stays as the load left it.
 */
export async function resolveModel(deps: ModelDeps, requested: string): Promise<string> {
  const library = await deps.library();
  const current = deps.models.current();
  const named = library.find((m) => m.id === requested || fileModelId(m.path) === requested);
  let loaded: LoadedModel;
  if (named && named.path !== current?.report.path) {
    try {
      loaded = await deps.load(named.path);
    } catch (error) {
      const cause = AppError.from(error);
      throw new HttpError(409, cause.code, `Model ${requested} is not loaded and loading it failed: ${cause.message}`);
    }
  } else {
    // Reloads a model a crash unloaded; with none, a clear model_not_loaded.
    loaded = await deps.models.ensureLoaded();
  }
  const id = loadedId(loaded, library);
  deps.onResolved?.(id);
  return id;
}
