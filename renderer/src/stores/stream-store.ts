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
  /**
   * Follows a generation from `answer`, its text as of a chat.follow reply: the events received before the
   * reply are in it already and are dropped; the ones after it continue it.
   */
  adopt(messageId: string, answer: LiveAnswer): void;
  /** Queues an event; the store updates once per animation frame. */
  ingest(generationId: string, event: GenerationEvent): void;
  start(): () => void;
}

export const useStreamStore = create<StreamState>((set) => {
  const batch = frameBatcher<{ generationId: string; event: GenerationEvent; seq: number }>(flushEvents, { minIntervalMs: FLUSH_INTERVAL_MS, costFactor: 4 });
  // Events are numbered as they arrive, so an adopted snapshot can drop those it already holds.
  let received = 0;
  const adoptedAt = new Map<string, number>();
  const push = (item: { generationId: string; event: GenerationEvent }) => batch({ ...item, seq: ++received });
  function flushEvents(items: { generationId: string; event: GenerationEvent; seq: number }[]) {
    const now = Date.now();
    const byGeneration = new Map<string, GenerationEvent[]>();
    for (const { generationId, event, seq } of items) {
      if (seq <= (adoptedAt.get(generationId) ?? 0)) continue;
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
    adopt(messageId, answer) {
      adoptedAt.set(answer.generationId, received);
      set((s) => ({ answers: { ...s.answers, [answer.generationId]: answer }, generationOf: { ...s.generationOf, [messageId]: answer.generationId } }));
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
