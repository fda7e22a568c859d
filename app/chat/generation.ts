import type { MessageGeneration } from "./types";

/** One line for people: "MiniMax-M2.5 · m2-q4 (Q4_K_M) · temperature 1 · top-p 0.95 · top-k 40 · context 32,768". */
export function describeGeneration(g: MessageGeneration): string {
  return [
    g.family,
    `${g.model} (${g.quantization})`,
    `temperature ${g.temperature}`,
    `top-p ${g.topP}`,
    `top-k ${g.topK}`,
    ...(g.maxTokens !== undefined ? [`max ${g.maxTokens.toLocaleString("en-US")} tokens`] : []),
    `context ${g.contextSize.toLocaleString("en-US")}`,
  ].join(" · ");
}
