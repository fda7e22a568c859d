import { create } from "zustand";
import type { LibraryModel } from "../../../app/contract/downloads-api";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { useToastStore } from "./toast-store";

interface LibraryState {
  models: LibraryModel[];
  loaded: boolean;
  error: string | null;
  refresh(): Promise<void>;
  /** Resolves with the bytes freed, or null if it failed (the error is in `error`). */
  remove(id: string): Promise<number | null>;
  importPath(path: string, mode: "reference" | "copy"): Promise<boolean>;
  scan(): Promise<void>;
  start(): () => void;
}

/** Models on disk, fed by library.changed events. */
export const useLibraryStore = create<LibraryState>((set, get) => ({
  models: [],
  loaded: false,
  error: null,
  async refresh() {
    try {
      const { models } = await client().call("library.list", {});
      set({ models, loaded: true, error: null });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async remove(id) {
    try {
      const { freedBytes } = await client().call("library.delete", { id });
      set((s) => ({ models: s.models.filter((m) => m.id !== id), error: null }));
      return freedBytes;
    } catch (error) {
      set({ error: errorMessage(error) });
      return null;
    }
  },
  async importPath(path, mode) {
    try {
      await client().call("library.import", { path, mode });
      await get().refresh();
      return true;
    } catch (error) {
      set({ error: errorMessage(error) });
      return false;
    }
  },
  async scan() {
    try {
      const { added } = await client().call("library.scan", {});
      useToastStore.getState().show({ kind: "info", text: added === 0 ? "No new models in the models folder." : `Added ${added} model(s) from the models folder.` });
      await get().refresh();
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  start() {
    const off = client().onEvent((event) => {
      if (event.type === "library.changed") void get().refresh();
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
