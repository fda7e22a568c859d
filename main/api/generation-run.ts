import { randomUUID } from "node:crypto";
import type { GenerationEvent, GenerationRequest } from "../../app/contract";
import type { EventHub } from "../router/event-hub";
import type { GenerationService } from "../services/generation-service";

export interface GenerationDeps {
  generations: GenerationService;
  events: EventHub;
}

/**
 * One generation on the shared engine: its events go to `onEvent` until `done`. Resolves with
 * that last event; rejects before any event when the request cannot start (no model, invalid).
 * Aborting `signal` (the client went away) aborts the generation, waiting or running.
 */
export async function runGeneration(
  deps: GenerationDeps,
  request: GenerationRequest,
  onEvent: (event: GenerationEvent) => void,
  signal: AbortSignal,
): Promise<Extract<GenerationEvent, { type: "done" }>> {
  const generationId = randomUUID();
  let off = () => {};
  const done = new Promise<Extract<GenerationEvent, { type: "done" }>>((resolve) => {
    off = deps.events.subscribe((event) => {
      if (event.type !== "generation.event" || event.generationId !== generationId) return;
      onEvent(event.event);
      if (event.event.type === "done") resolve(event.event);
    });
  });
  const abort = () => void deps.generations.abort(generationId).catch(() => undefined);
  try {
    await deps.generations.start(generationId, request);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
    return await done;
  } finally {
    off();
    signal.removeEventListener("abort", abort);
  }
}
