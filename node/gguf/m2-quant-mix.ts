import type { M2TensorSpec } from "./m2-arch";

/** Quantizations writeM2HeaderOnly reproduces, with their llama_ftype ids. */
export const M2_HEADER_QUANTS = { IQ1_S: 24, Q2_K: 10, Q4_K_M: 15, Q8_0: 7 } as const;
export type M2HeaderQuant = keyof typeof M2_HEADER_QUANTS;

const BASE_TYPE: Record<M2HeaderQuant, string> = { IQ1_S: "IQ1_S", Q2_K: "Q2_K", Q4_K_M: "Q4_K", Q8_0: "Q8_0" };

/** llama-quant.cpp's use_more_bits: first and last eighth of the layers, and every third in between. */
function useMoreBits(layer: number, nLayer: number): boolean {
  const eighth = Math.floor(nLayer / 8);
  return layer < eighth || layer >= Math.floor((7 * nLayer) / 8) || (layer - eighth) % 3 === 2;
}

/**
 * The ggml type llama-quantize picks for an M2 tensor (llama_tensor_get_type_impl
 * for 256 experts and GQA 6, no imatrix overrides), so sizes match real files.
 */
export function m2TensorType(quant: M2HeaderQuant, spec: M2TensorSpec, nLayer: number): string {
  const layer = spec.layer ?? 0;
  switch (spec.role) {
    // norms, the router and its bias stay F32: quantize skips 1-D tensors and ffn_gate_inp
    case "attn_norm": case "ffn_norm": case "output_norm": case "attn_q_norm": case "attn_k_norm":
    case "ffn_gate_inp": case "exp_probs_b":
      return "F32";
    case "output":
      return quant === "Q8_0" ? "Q8_0" : quant === "IQ1_S" ? "Q5_K" : "Q6_K";
    case "token_embd":
      return quant === "IQ1_S" ? "Q2_K" : BASE_TYPE[quant];
    case "attn_v":
      if (quant === "Q4_K_M") return useMoreBits(layer, nLayer) ? "Q6_K" : "Q4_K";
      return quant === "Q8_0" ? "Q8_0" : "Q4_K";
    case "attn_output":
      return quant === "Q2_K" ? "Q3_K" : quant === "IQ1_S" ? "IQ2_XXS" : BASE_TYPE[quant];
    case "ffn_down_exps":
      if (quant === "Q4_K_M") return useMoreBits(layer, nLayer) ? "Q6_K" : "Q4_K";
      if (quant === "Q2_K") return "Q3_K";
      if (quant === "IQ1_S") return layer < Math.floor(nLayer / 8) ? "Q2_K" : "IQ1_S";
      return BASE_TYPE[quant];
    default:
      return BASE_TYPE[quant];
  }
}
