import { create } from "zustand";
import type { LoadOptions, LoadedModel } from "../../../app/contract";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { readJson, writeJson } from "../lib/storage";

const RECENTS_KEY = "m2d.recentModels";

interface ModelsState {
  loaded: LoadedModel | null;
  loadingPath: string | null;
  /** 0..1 while loading. */
  progress: number | null;
  lostInCrash: boolean;
  error: string | null;
  recents: string[];
  refresh(): Promise<void>;
  load(path: string, options?: LoadOptions): Promise<void>;
  cancel(): Promise<void>;
  forget(path: string): void;
  start(): () => void;
}

/** The loaded model and loading progress, fed by model.* events. */
export const useModelsStore = create<ModelsState>((set, get) => ({
  loaded: null,
  loadingPath: null,
  progress: null,
  lostInCrash: false,
  error: null,
  recents: readJson<string[]>(RECENTS_KEY, []),
  async refresh() {
    try {
      const { loaded } = await client().call("model.status", {});
      set({ loaded });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async load(path, options) {
    const trimmed = path.trim();
    if (!trimmed) return;
    const recents = [trimmed, ...get().recents.filter((p) => p !== trimmed)].slice(0, 8);
    writeJson(RECENTS_KEY, recents);
    set({ recents, loadingPath: trimmed, progress: 0, error: null });
    try {
      const loaded = await client().call("model.load", { path: trimmed, ...(options ? { options } : {}) });
      set({ loaded, lostInCrash: false });
    } catch (error) {
      set({ error: errorMessage(error) });
    } finally {
      set({ loadingPath: null, progress: null });
    }
  },
  async cancel() {
    try {
      await client().call("model.cancelLoad", {});
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  forget(path) {
    const recents = get().recents.filter((p) => p !== path);
    writeJson(RECENTS_KEY, recents);
    set({ recents });
  },
  start() {
    const off = client().onEvent((event) => {
      if (event.type === "model.load_progress") set({ loadingPath: event.path, progress: event.progress });
      else if (event.type === "model.status") {
        set({ loaded: event.loaded, lostInCrash: event.lostInCrash, loadingPath: event.loadingPath, ...(event.loadingPath ? {} : { progress: null }) });
      }
    });
    const offConnection = client().onConnection((state) => {
      if (state === "open") void get().refresh();
    });
    return () => {
      off();
      offConnection();
    };
  },
}));
