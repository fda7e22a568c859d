import { z } from "zod";
import { EngineStatusSchema } from "./engine-status";
import { GenerationEventSchema, GenerationRequestSchema } from "./generation";
import { LoadFailureSchema, LoadOptionsSchema, LoadPlanViewSchema, LoadedModelSchema, ModelReportSchema, PlanParamsSchema, SystemMemorySchema } from "./model";
import { chatEventSchemas, chatMethods } from "./chat-api";
import { agentEventSchemas, agentMethods } from "./agent-api";
import { downloadsEventSchemas, downloadsMethods } from "./downloads-api";
import { serverEventSchemas, serverMethods } from "./server-api";
import { attemptsEventSchemas, attemptsMethods } from "./attempts-api";

/**
 * The one API between the UI and the backend. Each method names its params and
 * result schema; the TS types are inferred from them, so they cannot drift.
 */

export const HealthSchema = z.object({
  version: z.string(),
  uptimeMs: z.number().nonnegative(),
  dataDir: z.string(),
  database: z.object({ path: z.string(), schemaVersion: z.number().int() }),
  engine: EngineStatusSchema,
});
export type Health = z.infer<typeof HealthSchema>;

const NoParams = z.object({}).strict();
const GenerationIdSchema = z.string().min(1).max(64).regex(/^[\w-]+$/);

export const methods = {
  "health.get": { params: NoParams, result: HealthSchema },
  /** A plain-text report to paste into a bug report: versions, machine, engine, paths, model, the recent log. Redacted. */
  "system.diagnostics": { params: NoParams, result: z.object({ text: z.string() }) },
  "engine.echo": {
    params: z.object({ text: z.string().max(10_000) }).strict(),
    result: z.object({ text: z.string(), pid: z.number().int() }),
  },
  "model.inspect": { params: z.object({ path: z.string().min(1).max(4096) }).strict(), result: ModelReportSchema },
  "model.load": {
    params: z.object({ path: z.string().min(1).max(4096), options: LoadOptionsSchema.optional() }).strict(),
    result: LoadedModelSchema,
  },
  "model.plan": { params: PlanParamsSchema, result: LoadPlanViewSchema },
  "model.cancelLoad": { params: NoParams, result: z.object({}) },
  "model.unload": { params: NoParams, result: z.object({}) },
  "model.status": { params: NoParams, result: z.object({ loaded: LoadedModelSchema.nullable() }) },
  /** GGUFs whose last load took the engine down, newest first; a successful load clears its entry. */
  "model.loadFailures": { params: NoParams, result: z.object({ failures: z.array(LoadFailureSchema) }) },
  /** This machine's RAM now (the status bar's figure; it drops when a model is unloaded). */
  "system.memory": { params: NoParams, result: SystemMemorySchema },
  "generation.start": {
    params: z.object({ generationId: GenerationIdSchema, request: GenerationRequestSchema }).strict(),
    result: z.object({ generationId: GenerationIdSchema }),
  },
  "generation.abort": { params: z.object({ generationId: GenerationIdSchema }).strict(), result: z.object({}) },
  ...chatMethods,
  ...agentMethods,
  ...downloadsMethods,
  ...serverMethods,
  ...attemptsMethods,
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller sends. */
export type MethodParams<M extends MethodName> = z.input<Methods[M]["params"]>;
/** What a handler receives: the params after validation filled in defaults. */
export type ParsedMethodParams<M extends MethodName> = z.output<Methods[M]["params"]>;
export type MethodResult<M extends MethodName> = z.output<Methods[M]["result"]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === "string" && Object.hasOwn(methods, value);
}

/** Pushed from the backend to every connected UI. */
export const AppEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("engine.status"), status: EngineStatusSchema }),
  z.object({ type: z.literal("model.load_progress"), loadId: z.string(), path: z.string(), progress: z.number() }),
  z.object({
    type: z.literal("model.status"),
    loaded: LoadedModelSchema.nullable(),
    loadingPath: z.string().nullable(),
    /** The engine crashed with a model loaded; the next generation reloads it. */
    lostInCrash: z.boolean(),
  }),
  z.object({ type: z.literal("generation.event"), generationId: z.string(), event: GenerationEventSchema }),
  ...chatEventSchemas,
  ...agentEventSchemas,
  ...downloadsEventSchemas,
  ...serverEventSchemas,
  ...attemptsEventSchemas,
]);
export type AppEvent = z.infer<typeof AppEventSchema>;
