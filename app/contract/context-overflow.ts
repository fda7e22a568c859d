/** What a context_overflow error carries: the prompt's size, the context's, and the context to reload with. */
import { z } from "zod";

export const ContextOverflowDetailsSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  contextSize: z.number().int().positive(),
  /** Reply room asked for beside the prompt (the request's maxTokens, else a default). */
  replyTokens: z.number().int().nonnegative().optional(),
  /** The planner's context for a reload that holds the prompt and reply (or the largest that fits); null when none larger fits. */
  reloadContext: z.number().int().positive().nullable().optional(),
});
export type ContextOverflowDetails = z.infer<typeof ContextOverflowDetailsSchema>;

/** Tokens left for the reply when a request names no maxTokens. */
export const OVERFLOW_REPLY_TOKENS = 2048;

/** The reload an error offers: "Reload with N tokens of context", or null when it is no context overflow or nothing larger fits. */
export function reloadOffer(error: { code: string; details?: unknown } | null | undefined): (ContextOverflowDetails & { reloadContext: number }) | null {
  if (error?.code !== "context_overflow") return null;
  const parsed = ContextOverflowDetailsSchema.safeParse(error.details);
  if (!parsed.success || typeof parsed.data.reloadContext !== "number") return null;
  return { ...parsed.data, reloadContext: parsed.data.reloadContext };
}
