import { AppError, ThinkingModeSchema } from "../../app/contract";
import { MODEL_FAMILIES, type ModelFamily, type RenderOptions } from "../../app/family";

/** `--family` and `--thinking` for the commands that prompt or parse without a loaded model (m2d prompt, m2d parse). */
export const FAMILY_OPTIONS = {
  family: { type: "string", default: "minimax-m2", value: MODEL_FAMILIES.map((f) => f.id).join("|"), help: "the model family whose protocol to use" },
  thinking: { type: "string", value: ThinkingModeSchema.options.join("|"), help: "thinking mode (families that have modes: MiniMax-M3, M3.1)" },
} as const;

/** The family and render options the flags name; an unknown one is a usage error. */
export function familyFromFlags(values: { family?: string | undefined; thinking?: string | undefined }): { family: ModelFamily; options: RenderOptions } {
  const family = MODEL_FAMILIES.find((f) => f.id === (values.family ?? "minimax-m2"));
  if (!family) {
    throw new AppError("bad_request", `--family must be one of ${MODEL_FAMILIES.map((f) => f.id).join(", ")}.`);
  }
  if (values.thinking === undefined) return { family, options: {} };
  const thinking = ThinkingModeSchema.safeParse(values.thinking);
  if (!thinking.success) throw new AppError("bad_request", `--thinking must be one of ${ThinkingModeSchema.options.join(", ")}.`);
  return { family, options: { thinking: thinking.data } };
}
