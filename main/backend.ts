import { AppError, type AppEvent } from "../app/contract";
import { EngineSupervisor } from "./engine/supervisor";
import type { SpawnEngine } from "./engine/engine-child";
import { createRouter, type Dispatch } from "./router/router";
import { EventHub } from "./router/event-hub";
import { databasePath } from "./paths";
import { GenerationService } from "./services/generation-service";
import { ModelService } from "./services/model-service";
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
  models: ModelService;
  generations: GenerationService;
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
  const publish = (event: AppEvent) => events.publish(event);

  // The services need the supervisor and the supervisor reports to them: late-bound through these lets.
  let models: ModelService | undefined;
  let generations: GenerationService | undefined;
  const engine = new EngineSupervisor({
    spawn: options.spawnEngine,
    onStatus: (status) => {
      if (status.state === "crashed") models?.onEngineLost();
      publish({ type: "engine.status", status });
    },
    onEvent: (event) => {
      if (event.kind === "load_progress") models?.onLoadProgress(event.loadId, event.progress);
      else generations?.onEngineEvent(event.generationId, event.event);
    },
    onLog: (level, message) => log(level, `engine: ${message}`),
  });
  models = new ModelService(engine, publish);
  generations = new GenerationService(engine, models, publish);
  const modelService = models;
  const generationService = generations;
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
    "model.inspect": ({ path }) => modelService.inspect(path),
    "model.load": ({ path, options: loadOptions }) => modelService.load(path, loadOptions),
    "model.cancelLoad": async () => (await modelService.cancelLoad(), {}),
    "model.unload": async () => (await modelService.unload(), {}),
    "model.status": async () => ({ loaded: modelService.current() }),
    "generation.start": async ({ generationId, request }) => (await generationService.start(generationId, request), { generationId }),
    "generation.abort": async ({ generationId }) => (await generationService.abort(generationId), {}),
  });

  return {
    dispatch,
    events,
    engine,
    models: modelService,
    generations: generationService,
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
