import type { EngineStatus } from "../../../app/contract";

export function engineLabel(engine: EngineStatus | null): string {
  if (!engine) return "Engine: unknown";
  switch (engine.state) {
    case "ready":
      return `Engine: ready (pid ${engine.pid})`;
    case "starting":
      return "Engine: starting…";
    case "crashed":
      return "Engine: crashed, restarting…";
    case "stopped":
      return "Engine: stopped";
  }
}
