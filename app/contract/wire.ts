import { z } from "zod";
import { AppErrorDataSchema } from "./errors";
import { AppEventSchema } from "./api";

/** Framing of the contract over a message transport (WebSocket; IPC reuses the result shape). */

export const RequestIdSchema = z.union([z.number().int(), z.string().max(64)]);

export const WireRequestSchema = z.object({
  id: RequestIdSchema,
  method: z.string(),
  params: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequestSchema>;

export const CallOutcomeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorDataSchema }),
]);
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

const WireResponseSchema = z.object({
  type: z.literal("response"),
  /** null when the request was too malformed to carry an id. */
  id: RequestIdSchema.nullable(),
  outcome: CallOutcomeSchema,
});

export const WireServerMessageSchema = z.discriminatedUnion("type", [WireResponseSchema, z.object({ type: z.literal("event"), event: AppEventSchema })]);
export type WireServerMessage = z.infer<typeof WireServerMessageSchema>;

/**
 * A server frame with its event left unchecked: the contract client validates events, so one this page
 * cannot read is reported there rather than lost with its frame.
 */
export const WireServerFrameSchema = z.discriminatedUnion("type", [WireResponseSchema, z.object({ type: z.literal("event"), event: z.unknown() })]);
