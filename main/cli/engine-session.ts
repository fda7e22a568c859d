import type { AppEvent } from "../../app/contract";
import { createEngineStack, type EngineStack } from "../engine/engine-stack";
import { forkSpawner } from "../engine/fork-spawner";
import { EventHub } from "../router/event-hub";
import { distPath } from "./dist-paths";

/** The app's engine stack, for one CLI command: the same process boundary and services as the app. */
export async function withEngine<T>(work: (stack: EngineStack, events: EventHub) => Promise<T>): Promise<T> {
  const events = new EventHub();
  const stack = createEngineStack({
    spawn: forkSpawner(distPath("engine/main.js")),
    publish: (event: AppEvent) => events.publish(event),
    log: (level, message) => {
      if (level === "error" || level === "warn") console.error(`[${level}] ${message}`);
    },
  });
  try {
    return await work(stack, events);
  } finally {
    await stack.engine.stop();
  }
}
