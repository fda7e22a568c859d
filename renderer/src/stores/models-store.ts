import { create } from "zustand";
import type { LoadOptions, LoadPlanView, LoadedModel, PlanParams } from "../../../app/contract";
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
  /** The load plan for the dialog's current choices, and why there is none. */
  plan: LoadPlanView | null;
  planError: string | null;
  planning: boolean;
  refresh(): Promise<void>;
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
