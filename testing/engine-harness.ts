import { join } from "node:path";
import type { AppEvent, GenerationEvent, GenerationRequest } from "../app/contract";
import { createEngineStack, type EngineStack } from "../main/engine/engine-stack";
import { forkSpawner } from "../main/engine/fork-spawner";
import { EventHub } from "../main/router/event-hub";

export const ENGINE_BUNDLE = join(import.meta.dirname, "..", "dist", "engine", "main.js");

/** Tiny test models on a shared 2-core box: one compute thread, or llama.cpp's threads stall each other. */
export const TEST_ENGINE_ENV = { ...process.env, M2D_ENGINE_THREADS: process.env.M2D_ENGINE_THREADS ?? "1" };

/** The real engine process behind the app's own supervisor and services, for integration tests. */
export function startEngineHarness(): EngineStack & { events: EventHub; generate: typeof generate; stop(): Promise<void> } {
  const events = new EventHub();
  const stack = createEngineStack({
    spawn: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV),
    publish: (event: AppEvent) => events.publish(event),
    log: () => undefined,
  });
  async function generate(id: string, request: GenerationRequest, onEvent?: (event: GenerationEvent) => void): Promise<GenerationEvent[]> {
    const received: GenerationEvent[] = [];
    const done = new Promise<void>((resolve) => {
      const off = events.subscribe((event) => {
        if (event.type !== "generation.event" || event.generationId !== id) return;
        received.push(event.event);
        onEvent?.(event.event);
        if (event.event.type === "done") {
          off();
          resolve();
        }
      });
    });
    await stack.generations.start(id, request);
    await done;
    return received;
  }
  return { ...stack, events, generate, stop: () => stack.engine.stop() };
}

export function joinText(events: readonly GenerationEvent[], type: "reasoning_delta" | "content_delta"): string {
  return events.map((e) => (e.type === type ? e.text : "")).join("");
}
