import { create } from "zustand";
import type { LoadFailure, LoadOptions, LoadPlanView, LoadedModel, PlanParams, SystemMemory } from "../../../app/contract";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { readJson, writeJson } from "../lib/storage";
import { normalPath } from "../lib/model-paths";

const RECENTS_KEY = "m2d.recentModels";
const MEMORY_REFRESH_MS = 5_000;

interface ModelsState {
  loaded: LoadedModel | null;
  loadingPath: string | null;
  /** 0..1 while loading. */
  progress: number | null;
  lostInCrash: boolean;
  error: string | null;
  recents: string[];
  /** The load plan for the dialog's current choices, and why there is none. */
  plan: LoadPlanView | null;
  planError: string | null;
  planning: boolean;
  /** Loads that took the engine down, by path (the host keeps them until the file loads). */
  failures: Record<string, LoadFailure>;
  /** This machine's RAM now; refreshed on model changes and every few seconds. */
  memory: SystemMemory | null;
  refresh(): Promise<void>;
  refreshFailures(): Promise<void>;
  refreshMemory(): Promise<void>;
  unload(): Promise<void>;
  /** Plans `params`; an answer to an older request than the latest is dropped. */
  requestPlan(params: PlanParams): Promise<void>;
  clearPlan(): void;
  load(path: string, options?: LoadOptions): Promise<void>;
  cancel(): Promise<void>;
  forget(path: string): void;
  start(): () => void;
}

let planSeq = 0;

/** The loaded model and loading progress, fed by model.* events; the load dialog's plan. */
export const useModelsStore = create<ModelsState>((set, get) => ({
  loaded: null,
  loadingPath: null,
  progress: null,
  lostInCrash: false,
  error: null,
  recents: readJson<string[]>(RECENTS_KEY, []),
  plan: null,
  planError: null,
  planning: false,
  failures: {},
  memory: null,
  async refreshFailures() {
    try {
      const { failures } = await client().call("model.loadFailures", {});
      set({ failures: Object.fromEntries(failures.map((f) => [normalPath(f.path), f])) });
    } catch {
      // An older host without the method: no failures to show.
    }
  },
  async refreshMemory() {
    try {
      set({ memory: await client().call("system.memory", {}) });
    } catch {
      // An older host: the status bar shows the loaded model's figure only.
    }
  },
  async unload() {
    try {
      await client().call("model.unload", {});
      set({ loaded: null, lostInCrash: false, error: null });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
    void get().refreshMemory();
  },
  async requestPlan(params) {
    const seq = ++planSeq;
    set({ planning: true });
    try {
      const plan = await client().call("model.plan", params);
      if (seq === planSeq) set({ plan, planError: null, planning: false });
    } catch (error) {
      if (seq === planSeq) set({ plan: null, planError: errorMessage(error), planning: false });
    }
  },
  clearPlan() {
    planSeq++;
    set({ plan: null, planError: null, planning: false });
  },
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
      void get().refreshFailures();
      void get().refreshMemory();
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
        void get().refreshFailures();
        void get().refreshMemory();
      }
    });
    const offConnection = client().onConnection((state) => {
      if (state !== "open") return;
      void get().refresh();
      void get().refreshFailures();
      void get().refreshMemory();
    });
    const memoryTimer = setInterval(() => void get().refreshMemory(), MEMORY_REFRESH_MS);
    return () => {
      off();
      offConnection();
      clearInterval(memoryTimer);
    };
  },
}));
