import { create } from "zustand";
import type { GenerationEvent } from "../../../app/contract";
import { client } from "../client/client-instance";
import { applyEvents, newLiveAnswer, seededAnswer, type LiveAnswer } from "../chat/live-answer";
import { frameBatcher } from "../lib/frame-batcher";

/** Two frames: text still flows smoothly, at half the render and layout work of one per frame. */
const FLUSH_INTERVAL_MS = 32;

/** Finished answers kept for their client-side timing; older ones are dropped. */
const KEEP_FINISHED = 20;

interface StreamState {
  /** By generation id: events can arrive before chat.send says which message they belong to. */
  answers: Record<string, LiveAnswer>;
  /** Message id → generation id. */
  generationOf: Record<string, string>;
  link(messageId: string, generationId: string): void;
  /** Starts a generation's live answer from `answer` (a continued message's stored text). */
  seed(answer: LiveAnswer): void;
  /** Queues an event; the store updates once per animation frame. */
  ingest(generationId: string, event: GenerationEvent): void;
  start(): () => void;
}

export const useStreamStore = create<StreamState>((set) => {
  const push = frameBatcher<{ generationId: string; event: GenerationEvent }>(flushEvents, { minIntervalMs: FLUSH_INTERVAL_MS, costFactor: 4 });
  function flushEvents(items: { generationId: string; event: GenerationEvent }[]) {
    const now = Date.now();
    const byGeneration = new Map<string, GenerationEvent[]>();
    for (const { generationId, event } of items) {
      const list = byGeneration.get(generationId) ?? [];
      list.push(event);
      byGeneration.set(generationId, list);
    }
    set((s) => {
      const answers = { ...s.answers };
      for (const [id, events] of byGeneration) answers[id] = applyEvents(answers[id] ?? newLiveAnswer(id, now), events, now);
      return { answers: prune(answers) };
    });
  }
  return {
    answers: {},
    generationOf: {},
    link(messageId, generationId) {
      set((s) => ({ generationOf: { ...s.generationOf, [messageId]: generationId } }));
    },
    seed(answer) {
      set((s) => ({ answers: { ...s.answers, [answer.generationId]: seededAnswer(answer, s.answers[answer.generationId]) } }));
    },
    ingest: (generationId, event) => push({ generationId, event }),
    start() {
      return client().onEvent((event) => {
        if (event.type === "generation.event") push({ generationId: event.generationId, event: event.event });
      });
    },
  };
});

function prune(answers: Record<string, LiveAnswer>): Record<string, LiveAnswer> {
  const finished = Object.values(answers).filter((a) => a.finished);
  if (finished.length <= KEEP_FINISHED) return answers;
  finished.sort((a, b) => a.startedAt - b.startedAt);
  const out = { ...answers };
  for (const a of finished.slice(0, finished.length - KEEP_FINISHED)) delete out[a.generationId];
  return out;
}

/** The live answer of a message, if this window is following its stream. */
export function useLiveAnswer(messageId: string): LiveAnswer | undefined {
  return useStreamStore((s) => {
    const g = s.generationOf[messageId];
    return g ? s.answers[g] : undefined;
  });
}
