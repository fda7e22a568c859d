import { z } from "zod";
import { detailsReader } from "./error-details";

/**
 * Why the engine process was lost under a request (`details.reason` of an `engine_crashed`
 * error, and `lastExit.reason` in the engine status): it died, or it stopped answering its
 * heartbeat while busy and the supervisor killed it.
 */
export const EngineLostReasonSchema = z.enum(["engine_exited", "engine_unresponsive"]);
export type EngineLostReason = z.infer<typeof EngineLostReasonSchema>;

/** `details` of an `engine_crashed` error: why, how it exited, and (for an exit) the engine's last stderr lines, redacted. */
export const EngineCrashDetailsSchema = z.object({
  reason: EngineLostReasonSchema,
  code: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  stderr: z.array(z.string()).optional(),
});
export const engineCrashDetails = detailsReader(EngineCrashDetailsSchema, "engine_crashed");

/** Which of a chat template's budgets a render ran out of (`details.limit` of a `template_budget` refusal). */
export const TemplateBudgetLimitSchema = z.enum(["time", "steps", "output", "items"]);
export type TemplateBudgetLimit = z.infer<typeof TemplateBudgetLimitSchema>;

/** How often the engine tells its supervisor that its main thread is alive. */
export const ENGINE_HEARTBEAT_INTERVAL_MS = 1_000;
