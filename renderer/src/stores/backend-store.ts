import { create } from "zustand";
import { AppError, type EngineStatus, type Health } from "../../../app/contract";
import type { ConnectionState } from "../client/transport";
import { client } from "../client/client-instance";

interface BackendState {
  connection: ConnectionState;
  health: Health | null;
  engine: EngineStatus | null;
  error: string | null;
  /** Restarts seen while this page was open, so a restart is announced even if it was quick. */
  restartsSeen: number;
  refresh(): Promise<void>;
  start(): () => void;
}

/** Backend health and engine process status, fed by contract events. */
export const useBackendStore = create<BackendState>((set, get) => ({
  connection: "connecting",
  health: null,
  engine: null,
  error: null,
  restartsSeen: 0,
  async refresh() {
    try {
      const health = await client().call("health.get", {});
      set({ health, engine: health.engine, error: null, restartsSeen: Math.max(get().restartsSeen, health.engine.restarts) });
    } catch (error) {
      set({ error: AppError.from(error).message });
    }
  },
  start() {
    const offEvent = client().onEvent((event) => {
      if (event.type === "engine.status") {
        set((s) => ({ engine: event.status, restartsSeen: Math.max(s.restartsSeen, event.status.restarts) }));
      }
    });
    const offConnection = client().onConnection((connection) => {
      set({ connection });
      if (connection === "open") void get().refresh();
    });
    return () => {
      offEvent();
      offConnection();
    };
  },
}));
