import { z } from "zod";
import { CallOutcomeSchema } from "./wire";
import { BackendInfoSchema, GpuChoiceSchema, LoadOptionsSchema, LoadPlanViewSchema, LoadedModelSchema, ModelReportSchema, PlanParamsSchema } from "./model";
import { GenerationEventSchema, GenerationRequestSchema, GenerationStatsSchema, ScoreRequestSchema, ScoreResultSchema } from "./generation";

/**
 * Messages between the backend and the engine child process. Both ends validate
 * everything they receive: a confused or crashing engine must not confuse the backend.
 */

export const EngineRequestSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("echo"), text: z.string() }),
  z.object({ op: z.literal("ping") }),
  z.object({ op: z.literal("inspect"), path: z.string() }),
  z.object({ op: z.literal("load"), loadId: z.string(), path: z.string(), options: LoadOptionsSchema }),
  z.object({ op: z.literal("plan"), params: PlanParamsSchema }),
  z.object({ op: z.literal("cancelLoad"), loadId: z.string() }),
  z.object({ op: z.literal("unload") }),
  z.object({ op: z.literal("status") }),
  /** The backend `gpu` picks and its devices and memory, without loading a model (fit verdicts before any load). */
  z.object({ op: z.literal("backend"), gpu: GpuChoiceSchema }),
  z.object({ op: z.literal("generate"), generationId: z.string(), request: GenerationRequestSchema }),
  z.object({ op: z.literal("abort"), generationId: z.string() }),
  z.object({ op: z.literal("renderPrompt"), request: GenerationRequestSchema }),
  /** A YES/NO question's answer probabilities; `abort` with its scoreId as the generationId stops it. */
  z.object({ op: z.literal("score"), scoreId: z.string(), request: ScoreRequestSchema }),
]);
export type EngineRequest = z.infer<typeof EngineRequestSchema>;
export type EngineOp = EngineRequest["op"];

const Empty = z.object({});

export const EngineResultSchemas = {
  echo: z.object({ text: z.string(), pid: z.number().int() }),
  ping: z.object({ pid: z.number().int(), uptimeMs: z.number() }),
  inspect: ModelReportSchema,
  load: LoadedModelSchema,
  plan: LoadPlanViewSchema,
  cancelLoad: Empty,
  unload: Empty,
  status: z.object({ loaded: LoadedModelSchema.nullable(), backend: BackendInfoSchema.nullable() }),
  backend: BackendInfoSchema,
  generate: z.object({ finishReason: z.string(), stats: GenerationStatsSchema.nullable() }),
  abort: Empty,
  renderPrompt: z.object({ prompt: z.string(), tokens: z.number().int() }),
  score: ScoreResultSchema,
} as const satisfies Record<EngineOp, z.ZodType>;
export type EngineResult<O extends EngineOp> = z.infer<(typeof EngineResultSchemas)[O]>;

export const EngineEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("load_progress"), loadId: z.string(), progress: z.number().min(0).max(1) }),
  z.object({ kind: z.literal("generation"), generationId: z.string(), event: GenerationEventSchema }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const ToEngineMessageSchema = z.object({
  type: z.literal("request"),
  id: z.number().int(),
  request: EngineRequestSchema,
});
export type ToEngineMessage = z.infer<typeof ToEngineMessageSchema>;

export const FromEngineMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), pid: z.number().int() }),
  z.object({ type: z.literal("reply"), id: z.number().int(), outcome: CallOutcomeSchema }),
  z.object({ type: z.literal("event"), event: EngineEventSchema }),
  /**
   * One generation's events in order, coalesced by the engine (one message per ~16 ms while it streams) so
   * decoding does not pay an IPC message and a validation per token; the supervisor unpacks them into
   * `generation` events, so nothing past it sees the batching.
   */
  z.object({ type: z.literal("generation_events"), generationId: z.string(), events: z.array(GenerationEventSchema).min(1) }),
  z.object({ type: z.literal("log"), level: z.enum(["debug", "info", "warn", "error"]), message: z.string() }),
  /** Sent every ENGINE_HEARTBEAT_INTERVAL_MS from the engine's main thread: the supervisor's watchdog listens for it. */
  z.object({ type: z.literal("heartbeat") }),
]);
export type FromEngineMessage = z.infer<typeof FromEngineMessageSchema>;
