import { THINKING_MODES, type ThinkingMode } from "../family/protocol";

/**
 * M3's thinking modes, the template's `thinking_mode` variable. "adaptive" is what the template
 * does when the variable is unset (the same system text and generation prompt), so it is the default.
 */
export const M3_THINKING_MODES = THINKING_MODES;
/** The app-wide chat setting (app/family/protocol.ts), which M3's template defines. */
export type M3ThinkingMode = ThinkingMode;
export const M3_DEFAULT_THINKING_MODE: M3ThinkingMode = "adaptive";

export const M3_THINK_OPEN = "<mm:think>";
export const M3_THINK_CLOSE = "</mm:think>";

/**
 * What the generation prompt puts after `]~b]ai\n`: the model's first token follows it, so the
 * parser starts in reasoning after "<mm:think>" and in content after "</mm:think>".
 */
export function m3GenerationPrefill(mode: M3ThinkingMode | undefined): string {
  switch (mode) {
    case "enabled":
      return M3_THINK_OPEN;
    case "disabled":
      return M3_THINK_CLOSE;
    default:
      return "";
  }
}

/** The output that takes M3's parser from a mode's prefill to the answer: the rest of an empty thinking block. */
export function m3AnswerPrimer(mode: M3ThinkingMode | undefined): string {
  switch (mode) {
    case "enabled":
      return M3_THINK_CLOSE;
    case "disabled":
      return "";
    default:
      return M3_THINK_OPEN + M3_THINK_CLOSE;
  }
}
