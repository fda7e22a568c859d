import { create } from "zustand";
import type { ApiRequestEntry, ApiServerSettingsPatch, ApiServerStatus } from "../../../app/contract/server-api";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { toastError } from "./toast-store";

/** Entries the page keeps, like the backend's log. */
const KEPT = 200;

interface ServerState {
  status: ApiServerStatus | null;
  /** Oldest first. */
  requests: ApiRequestEntry[];
  saving: boolean;
  refresh(): Promise<void>;
  update(patch: ApiServerSettingsPatch): Promise<void>;
  /** True once the new key is in force. */
  regenerateKey(): Promise<boolean>;
  cancel(id: string): Promise<void>;
  start(): () => void;
}

/** The local API server's status, key and live request log, fed by apiServer.* events. */
export const useServerStore = create<ServerState>((set) => ({
  status: null,
  requests: [],
  saving: false,
  async refresh() {
    try {
      const [status, { requests }] = await Promise.all([client().call("apiServer.status", {}), client().call("apiServer.requests", {})]);
      set({ status, requests });
    } catch (error) {
      toastError(`Could not read the API server's state: ${errorMessage(error)}`);
    }
  },
  async update(patch) {
    set({ saving: true });
    try {
      set({ status: await client().call("apiServer.update", patch) });
    } catch (error) {
      toastError(`Could not change the API server: ${errorMessage(error)}`);
    } finally {
      set({ saving: false });
    }
  },
  async regenerateKey() {
    try {
      set({ status: await client().call("apiServer.regenerateKey", {}) });
      return true;
    } catch (error) {
      toastError(`Could not regenerate the key: ${errorMessage(error)}`);
      return false;
    }
  },
  async cancel(id) {
    try {
      await client().call("apiServer.cancelRequest", { id });
    } catch (error) {
      toastError(`Could not cancel the request: ${errorMessage(error)}`);
    }
  },
  start() {
    return client().onEvent((event) => {
      if (event.type === "apiServer.status") set({ status: event.status });
      else if (event.type === "apiServer.request") {
        const entry = event.request;
        set((s) => {
          const at = s.requests.findIndex((r) => r.id === entry.id);
          if (at >= 0) return { requests: s.requests.map((r, i) => (i === at ? entry : r)) };
          return { requests: [...s.requests, entry].slice(-KEPT) };
        });
      }
    });
  },
}));
