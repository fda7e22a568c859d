import { z } from "zod";
import { EngineStatusSchema } from "./engine-status";

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

export const methods = {
  "health.get": { params: NoParams, result: HealthSchema },
  "engine.echo": {
    params: z.object({ text: z.string().max(10_000) }).strict(),
    result: z.object({ text: z.string(), pid: z.number().int() }),
  },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodParams<M extends MethodName> = z.input<Methods[M]["params"]>;
export type MethodResult<M extends MethodName> = z.output<Methods[M]["result"]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === "string" && Object.hasOwn(methods, value);
}

/** Pushed from the backend to every connected UI. */
export const AppEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("engine.status"), status: EngineStatusSchema }),
]);
export type AppEvent = z.infer<typeof AppEventSchema>;
