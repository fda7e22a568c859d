import { z } from "zod";
import { EngineLostReasonSchema } from "./engine-faults";

/** The engine child process as the backend's supervisor sees it. */
export const EngineStateSchema = z.enum(["starting", "ready", "crashed", "stopped"]);
export type EngineState = z.infer<typeof EngineStateSchema>;

export const EngineStatusSchema = z.object({
  state: EngineStateSchema,
  pid: z.number().int().nullable(),
  /** How many times the supervisor has restarted the engine after it died. */
  restarts: z.number().int().nonnegative(),
  lastExit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: z.number(), reason: EngineLostReasonSchema })
    .nullable(),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;
