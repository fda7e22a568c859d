import { z } from "zod";
import { CallOutcomeSchema } from "./wire";

/**
 * Messages between the backend and the engine child process. Both ends validate
 * everything they receive: a confused or crashing engine must not confuse the backend.
 */

export const EngineRequestSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("echo"), text: z.string() }),
  z.object({ op: z.literal("ping") }),
]);
export type EngineRequest = z.infer<typeof EngineRequestSchema>;
export type EngineOp = EngineRequest["op"];

export const EngineResultSchemas = {
  echo: z.object({ text: z.string(), pid: z.number().int() }),
  ping: z.object({ pid: z.number().int(), uptimeMs: z.number() }),
} as const satisfies Record<EngineOp, z.ZodType>;
export type EngineResult<O extends EngineOp> = z.infer<(typeof EngineResultSchemas)[O]>;

export const ToEngineMessageSchema = z.object({
  type: z.literal("request"),
  id: z.number().int(),
  request: EngineRequestSchema,
});
export type ToEngineMessage = z.infer<typeof ToEngineMessageSchema>;

export const FromEngineMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), pid: z.number().int() }),
  z.object({ type: z.literal("reply"), id: z.number().int(), outcome: CallOutcomeSchema }),
  z.object({ type: z.literal("log"), level: z.enum(["debug", "info", "warn", "error"]), message: z.string() }),
]);
export type FromEngineMessage = z.infer<typeof FromEngineMessageSchema>;
