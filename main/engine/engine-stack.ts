import type { AppEvent } from "../../app/contract";
import { GenerationService } from "../services/generation-service";
import type { LoadFailures } from "../services/load-failures";
import { ModelService } from "../services/model-service";
import type { SpawnEngine } from "./engine-child";
import { EngineSupervisor } from "./supervisor";

export interface EngineStack {
  engine: EngineSupervisor;
  models: ModelService;
  generations: GenerationService;
}

/** The supervised engine with the services that track its model and generations. The app and the CLI share it. */
export function createEngineStack(options: {
  spawn: SpawnEngine;
  publish: (event: AppEvent) => void;
  log: (level: string, message: string) => void;
  /** The watchdog's limit (tests shorten it); the supervisor's default otherwise. */
  heartbeatTimeoutMs?: number;
  /** Where loads that crash the engine are recorded (the app's database). */
  loadFailures?: LoadFailures;
}): EngineStack {
  // The supervisor reports to the services, and the services call the supervisor.
  const services: { models?: ModelService; generations?: GenerationService } = {};
  const engine = new EngineSupervisor({
    spawn: options.spawn,
    ...(options.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
    onStatus: (status) => {
      if (status.state === "crashed") services.models?.onEngineLost(status.lastExit?.reason ?? "engine_exited");
      options.publish({ type: "engine.status", status });
    },
    onEvent: (event) => {
      if (event.kind === "load_progress") services.models?.onLoadProgress(event.loadId, event.progress);
      else services.generations?.onEngineEvent(event.generationId, event.event);
    },
    onLog: (level, message) => options.log(level, `engine: ${message}`),
  });
  const models = new ModelService(engine, options.publish, options.loadFailures);
  const generations = new GenerationService(engine, models, options.publish);
  Object.assign(services, { models, generations });
  engine.start();
  return { engine, models, generations };
}
