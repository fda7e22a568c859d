import { AppError } from "../app/contract";
import { EngineSupervisor } from "./engine/supervisor";
import type { SpawnEngine } from "./engine/engine-child";
import { createRouter, type Dispatch } from "./router/router";
import { EventHub } from "./router/event-hub";
import { databasePath } from "./paths";
import { openDatabase, schemaVersion, type Db } from "./storage/database";
import { APP_VERSION } from "./version";

export interface BackendOptions {
  dataDir: string;
  spawnEngine: SpawnEngine;
  sqliteNativeBinding?: string;
  log?: (level: string, message: string) => void;
}

export interface Backend {
  dispatch: Dispatch;
  events: EventHub;
  engine: EngineSupervisor;
  db: Db;
  close(): Promise<void>;
}

/** Wires the services to the router. Electron's main process and the headless host both call this. */
export function createBackend(options: BackendOptions): Backend {
  const startedAt = Date.now();
  const log = options.log ?? ((level, message) => console.error(`[${level}] ${message}`));
  const dbPath = databasePath(options.dataDir);
  const db = openDatabase({ path: dbPath, nativeBinding: options.sqliteNativeBinding });
  const events = new EventHub();
  const engine = new EngineSupervisor({
    spawn: options.spawnEngine,
    onStatus: (status) => events.publish({ type: "engine.status", status }),
    onLog: (level, message) => log(level, `engine: ${message}`),
  });
  engine.start();

  const dispatch = createRouter({
    "health.get": async () => ({
      version: APP_VERSION,
      uptimeMs: Date.now() - startedAt,
      dataDir: options.dataDir,
      database: { path: dbPath, schemaVersion: schemaVersion(db) },
      engine: engine.getStatus(),
    }),
    "engine.echo": async ({ text }) => engine.request({ op: "echo", text }, { timeoutMs: 10_000 }),
  });

  return {
    dispatch,
    events,
    engine,
    db,
    async close() {
      await engine.stop();
      try {
        db.close();
      } catch (error) {
        log("warn", `Closing the database failed: ${AppError.from(error).message}`);
      }
    },
  };
}
