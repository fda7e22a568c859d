import type { LlamaModel, Token } from "node-llama-cpp";
import { commonPrefixLength } from "./context-text-map";
import type { ContextTextMap } from "./context-text-map";

export type PromptPlan = {
  /** The tokens the sequence must hold before sampling. */
  tokens: Token[];
  /** How many leading tokens are already in the KV cache and stay there. */
  reuse: number;
};

/**
 * Decide which tokens to feed for `prompt` given what the sequence already holds: the longest
 * of (a) the token-level common prefix with the canonical tokenization and (b) the text-level
 * match from the map, which keeps previously sampled tokens when their text was re-rendered.
 */
export function planPrompt(
  model: LlamaModel,
  map: ContextTextMap,
  contextTokens: readonly Token[],
  prompt: string,
  /** The text match is skipped if its (non-canonical) tokens would not fit. */
  maxTokens: number,
): PromptPlan {
  const canonical = model.tokenize(prompt, true);
  let tokens = canonical;
  let reuse = commonPrefixLength(contextTokens, canonical);

  const byText = map.matchText(prompt);
  if (byText.tokens > reuse) {
    const viaText = [...map.prefix(byText.tokens), ...model.tokenize(prompt.slice(byText.chars), true)];
    if (viaText.length <= maxTokens || viaText.length <= canonical.length) {
      tokens = viaText;
      // The map may run past the cache (tokens sampled but never evaluated): those are fed, not reused.
      reuse = commonPrefixLength(contextTokens, viaText);
    }
  }
  // At least one token must be evaluated to get logits to sample from.
  return { tokens, reuse: Math.min(reuse, tokens.length - 1) };
}
