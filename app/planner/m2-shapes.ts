/**
 * MiniMax-M2's real tensor table (llama.cpp LLM_ARCH_MINIMAX_M2, src/models/minimax-m2.cpp)
 * with per-tensor quant types chosen by llama.cpp's llama-quant.cpp rules for each ftype.
 * Shared with the GGUF writer's fixtures, so names, dims (ggml ne order) and types are exact.
 */
import type { PlannerTensor } from "./tensors";
import { plannerTensor } from "./tensors";
import { tensorBytes } from "./ggml-sizes";
import type { PlannerModel } from "./types";

export const M2 = {
  layers: 62,
  embd: 3072,
  heads: 48,
  kvHeads: 8,
  headDim: 128,
  expertCount: 256,
  expertsUsed: 8,
  expertFf: 1536,
  vocab: 200_064,
  /** max_position_embeddings of the HF config. */
  trainedContext: 196_608,
} as const;

export type M2Quant = "IQ1_S" | "Q2_K" | "Q4_K_M" | "Q8_0";
export const m2Quants: readonly M2Quant[] = ["IQ1_S", "Q2_K", "Q4_K_M", "Q8_0"];

/** File sizes as published (decimal GB); the table lands within ~3% of these. */
export const m2NominalGB: Readonly<Record<M2Quant, number>> = { IQ1_S: 47, Q2_K: 83, Q4_K_M: 138, Q8_0: 243 };

export interface TensorShape {
  readonly name: string;
  /** ggml ne order: ne[0] is the contiguous (input) dimension. */
  readonly dims: readonly number[];
  readonly ggmlType: string;
}

type Role = "embd" | "output" | "norm" | "router" | "q" | "k" | "v" | "o" | "gate_exps" | "up_exps" | "down_exps";

// llama-quant.cpp use_more_bits: first and last eighth, and every third layer in between.
function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/** The type llama-quantize picks for M2 (256 experts, GQA 6) at each ftype; 1-D tensors and the router stay F32. */
function quantType(quant: M2Quant, role: Role, layer: number): string {
  const n = M2.layers;
  if (role === "norm" || role === "router") return "F32";
  switch (quant) {
    case "Q8_0":
      return "Q8_0";
    case "Q4_K_M":
      if (role === "output") return "Q6_K";
      if (role === "v" || role === "down_exps") return useMoreBits(layer, n) ? "Q6_K" : "Q4_K";
      return "Q4_K";
    case "Q2_K":
      if (role === "output") return "Q6_K";
      if (role === "v") return "Q4_K";
      if (role === "o" || role === "down_exps") return "Q3_K";
      return "Q2_K";
    case "IQ1_S":
      if (role === "output") return "Q5_K";
      if (role === "embd") return "Q2_K";
      if (role === "v") return "Q4_K";
      if (role === "o") return "IQ2_XXS";
      if (role === "down_exps") return layer < Math.floor(n / 8) ? "Q2_K" : "IQ1_S";
      return "IQ1_S";
  }
}

/** Every tensor of MiniMax-M2 at `quant`, in the order node/gguf/m2-arch.ts writes them. */
export function m2TensorShapes(quant: M2Quant): TensorShape[] {
  const { embd, heads, kvHeads, headDim, expertCount, expertFf, vocab } = M2;
  const q = heads * headDim;
  const kv = kvHeads * headDim;
  const out: TensorShape[] = [];
  const add = (name: string, dims: number[], role: Role, layer = -1): void => {
    out.push({ name, dims, ggmlType: quantType(quant, role, layer) });
  };
  add("token_embd.weight", [embd, vocab], "embd");
  for (let i = 0; i < M2.layers; i++) {
    const b = `blk.${i}.`;
    add(`${b}attn_norm.weight`, [embd], "norm", i);
    add(`${b}attn_q.weight`, [embd, q], "q", i);
    add(`${b}attn_k.weight`, [embd, kv], "k", i);
    add(`${b}attn_v.weight`, [embd, kv], "v", i);
    add(`${b}attn_output.weight`, [q, embd], "o", i);
    add(`${b}attn_q_norm.weight`, [q], "norm", i);
    add(`${b}attn_k_norm.weight`, [kv], "norm", i);
    add(`${b}ffn_norm.weight`, [embd], "norm", i);
    add(`${b}ffn_gate_inp.weight`, [embd, expertCount], "router", i);
    add(`${b}ffn_gate_exps.weight`, [embd, expertFf, expertCount], "gate_exps", i);
    add(`${b}ffn_up_exps.weight`, [embd, expertFf, expertCount], "up_exps", i);
    add(`${b}ffn_down_exps.weight`, [expertFf, embd, expertCount], "down_exps", i);
    add(`${b}exp_probs_b.bias`, [expertCount], "router", i);
  }
  add("output_norm.weight", [embd], "norm");
  add("output.weight", [embd, vocab], "output");
  return out;
}

export function m2Tensors(quant: M2Quant): PlannerTensor[] {
  return m2TensorShapes(quant).map((s) =>
    plannerTensor(s.name, tensorBytes(s.ggmlType, s.dims.reduce((a, d) => a * d, 1)), s.ggmlType),
  );
}

export function m2Model(quant: M2Quant): PlannerModel {
  return {
    name: "MiniMax-M2",
    quant,
    tensors: m2Tensors(quant),
    layers: M2.layers,
    expertCount: M2.expertCount,
    expertsUsed: M2.expertsUsed,
    heads: M2.heads,
    // Full attention in every layer (build_attn_inp_kv, no SWA): all 62 layers hold K and V of 8×128.
    kvCache: { layers: M2.layers, kvHeads: M2.kvHeads, headDimK: M2.headDim, headDimV: M2.headDim },
    vocab: M2.vocab,
    trainedContext: M2.trainedContext,
  };
}

export function totalBytes(tensors: readonly PlannerTensor[]): number {
  return tensors.reduce((a, t) => a + t.bytes, 0);
}
