import { GpuChoiceSchema, reloadOffer, type ContextOverflowDetails, type GpuChoice, type LoadedModel } from "../../../app/contract";
import type { StoredMessage } from "../../../app/chat/types";
import type { LiveAnswer } from "./live-answer";

export interface ReloadOffer extends ContextOverflowDetails {
  readonly messageId: string;
  readonly reloadContext: number;
}

/**
 * The reload the latest answer offers: it failed with a context overflow (as this window streamed it, or as
 * stored with the message, so the offer outlives a restart) and the planner named a larger context. Only the
 * latest answer: retrying an older one would drop what follows.
 */
export function latestReloadOffer(
  items: readonly { message: Pick<StoredMessage, "id" | "role" | "failure"> }[],
  generationOf: Readonly<Record<string, string>>,
  answers: Readonly<Record<string, LiveAnswer>>,
): ReloadOffer | null {
  const last = items.at(-1)?.message;
  if (last?.role !== "assistant") return null;
  const generationId = generationOf[last.id];
  const offer = reloadOffer((generationId ? answers[generationId]?.finished?.error : undefined) ?? last.failure);
  return offer ? { ...offer, messageId: last.id } : null;
}

/** The load a reload with `contextSize` asks for: the same file on the same backend, the new context. */
export function reloadRequest(loaded: LoadedModel, contextSize: number): { path: string; options: { gpu: GpuChoice; contextSize: number } } {
  const gpu = GpuChoiceSchema.safeParse(loaded.backend.backend);
  return { path: loaded.report.path, options: { gpu: gpu.success ? gpu.data : "auto", contextSize } };
}
