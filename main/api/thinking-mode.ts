import { AppError, type GenerationRequest } from "../../app/contract";
import type { ThinkingMode } from "../../app/family";

type Thinking = Pick<GenerationRequest, "thinking">;

/**
 * OpenAI's reasoning effort (chat completions' `reasoning_effort`, Responses' `reasoning.effort`) as a thinking
 * mode: no reasoning → disabled, low and medium → adaptive (the model decides), high → enabled. A family without
 * modes ignores it (M2 always reasons); absent or null: the family's default.
 */
const EFFORT: Readonly<Record<string, ThinkingMode>> = { none: "disabled", minimal: "disabled", low: "adaptive", medium: "adaptive", high: "enabled", xhigh: "enabled" };

export function effortThinking(effort: unknown, param: string): Thinking {
  if (effort === undefined || effort === null) return {};
  const mode = typeof effort === "string" ? EFFORT[effort] : undefined;
  if (mode === undefined) {
    throw new AppError("bad_request", `${param} must be one of ${Object.keys(EFFORT).join(", ")}; got ${JSON.stringify(effort)}.`, { param });
  }
  return { thinking: mode };
}

/** Anthropic's `thinking` ({type: "enabled", budget_tokens} / "adaptive" / "disabled") as a thinking mode; the budget is not enforced. */
export function anthropicThinking(thinking: unknown): Thinking {
  if (thinking === undefined || thinking === null) return {};
  const type = typeof thinking === "object" ? (thinking as { type?: unknown }).type : undefined;
  if (type === "enabled" || type === "adaptive" || type === "disabled") return { thinking: type };
  throw new AppError("bad_request", `thinking.type must be enabled, adaptive or disabled; got ${JSON.stringify(type ?? thinking)}.`, { param: "thinking.type" });
}
