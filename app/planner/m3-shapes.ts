/**
 * MiniMax-M3's tensor table (llama.cpp LLM_ARCH_MINIMAX_M3, src/models/minimax-m3.cpp load_arch_tensors),
 * as data: one row per block tensor saying which blocks have it (the leading dense ones, the MoE ones
 * or all) and its ggml shape from the hyperparameters. node/gguf's M3 generators, header-only file and
 * validator read the same table, so names, dims and types are one definition.
 */
import { tensorBytes } from "./ggml-sizes";
import { plannerTensor, type PlannerTensor } from "./tensors";
import type { PlannerModel } from "./types";

/** MiniMax Sparse Attention's lightning indexer (attention.indexer.* keys). */
export interface M3Indexer {
  /** Indexer query heads; the graph asserts one per KV head (GQA group). */
  readonly nHead: number;
  /** Indexer key/query width; its first n_rot dims are roped like the main heads. */
  readonly headDim: number;
  /** Key blocks each query attends to. */
  readonly topK: number;
  /** Tokens per key block. */
  readonly blockSize: number;
  /** The query's own block and the ones before it that are always selected. */
  readonly localBlocks: number;
}

/** The hyperparameters MiniMax-M2 and M3 share: llama.cpp's load_hparams reads them for both minimax-m2 and minimax-m3. */
export interface MiniMaxHparams {
  readonly nLayer: number;
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly headDim: number;
  /** Rotary dims per head (NEOX, the first ones); M2 and M3 rope 64 of 128. */
  readonly nRot: number;
  readonly nExpert: number;
  readonly nExpertUsed: number;
  /** expert_feed_forward_length: each routed expert's width. */
  readonly nFfExp: number;
  readonly contextLength: number;
  readonly ropeFreqBase: number;
  readonly rmsEps: number;
}

/** The MiniMax-M3 hyperparameters llama.cpp's minimax-m3 loader reads (load_arch_hparams plus the shared load_hparams). */
export interface M3Hparams extends MiniMaxHparams {
  /** leading_dense_block_count: blocks 0..n-1 have a dense FFN and full attention, the rest MoE + MSA. */
  readonly nDenseLead: number;
  /** expert_shared_count: the shared expert's width is nFfExp × this. */
  readonly nExpertShared: number;
  /** feed_forward_length: the dense blocks' FFN width. */
  readonly nFf: number;
  readonly expertWeightsScale: number;
  readonly indexer: M3Indexer;
}

/**
 * MiniMax-M3 (428B-A23B: the loader's LLM_TYPE_428B_A23B for 60 layers). Dims from the published text
 * config as third-party ports carry it (MiniMaxAI/MiniMax-M3's config.json itself is not stored here):
 * hidden 6144, 64 heads / 4 KV heads of 128, rotary 64, dense FFN 12288 in the first 3 blocks, 128
 * experts of 3072 with 4 used and one shared expert of 3072, routed scaling 2.0, sparse attention with
 * 4 index heads × 128, top 16 blocks of 128, 1 local block, 1,048,576 positions, rope θ 5e6, vocab 200064.
 */
export const M3_REAL: M3Hparams = {
  nLayer: 60,
  nDenseLead: 3,
  nEmbd: 6144,
  nHead: 64,
  nHeadKv: 4,
  headDim: 128,
  nRot: 64,
  nExpert: 128,
  nExpertUsed: 4,
  nExpertShared: 1,
  nFf: 12288,
  nFfExp: 3072,
  expertWeightsScale: 2.0,
  contextLength: 1_048_576,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
  indexer: { nHead: 4, headDim: 128, topK: 16, blockSize: 128, localBlocks: 1 },
};

export const M3_VOCAB = 200_064;

/** What a tensor is, so generators can fill it and quant mixes can type it. */
export type M3TensorRole =
  | "token_embd" | "output_norm" | "output"
  | "attn_norm" | "attn_q" | "attn_k" | "attn_v" | "attn_output" | "attn_q_norm" | "attn_k_norm" | "ffn_norm"
  | "ffn_gate" | "ffn_up" | "ffn_down"
  | "ffn_gate_inp" | "exp_probs_b" | "ffn_gate_exps" | "ffn_up_exps" | "ffn_down_exps"
  | "ffn_gate_shexp" | "ffn_up_shexp" | "ffn_down_shexp"
  | "indexer_q_proj" | "indexer_k_proj" | "indexer_q_norm" | "indexer_k_norm";

export interface M3TensorSpec {
  readonly name: string;
  readonly role: M3TensorRole;
  /** null for the global tensors. */
  readonly layer: number | null;
  /** ggml order: shape[0] is the input / row length. */
  readonly shape: readonly number[];
}

type Blocks = "all" | "dense" | "moe";

/** Each block tensor in load_arch_tensors' order: its name, role, which blocks have it, and its shape. */
const BLOCK_TENSORS: readonly { suffix: string; role: M3TensorRole; blocks: Blocks; shape: (h: M3Hparams) => number[] }[] = [
  { suffix: "attn_q.weight", role: "attn_q", blocks: "all", shape: (h) => [h.nEmbd, h.headDim * h.nHead] },
  { suffix: "attn_k.weight", role: "attn_k", blocks: "all", shape: (h) => [h.nEmbd, h.headDim * h.nHeadKv] },
  { suffix: "attn_v.weight", role: "attn_v", blocks: "all", shape: (h) => [h.nEmbd, h.headDim * h.nHeadKv] },
  { suffix: "attn_output.weight", role: "attn_output", blocks: "all", shape: (h) => [h.headDim * h.nHead, h.nEmbd] },
  { suffix: "attn_norm.weight", role: "attn_norm", blocks: "all", shape: (h) => [h.nEmbd] },
  // per-head QK norm: one head_dim vector shared by every head (M2's span all heads)
  { suffix: "attn_q_norm.weight", role: "attn_q_norm", blocks: "all", shape: (h) => [h.headDim] },
  { suffix: "attn_k_norm.weight", role: "attn_k_norm", blocks: "all", shape: (h) => [h.headDim] },
  { suffix: "ffn_norm.weight", role: "ffn_norm", blocks: "all", shape: (h) => [h.nEmbd] },
  { suffix: "ffn_gate.weight", role: "ffn_gate", blocks: "dense", shape: (h) => [h.nEmbd, h.nFf] },
  { suffix: "ffn_down.weight", role: "ffn_down", blocks: "dense", shape: (h) => [h.nFf, h.nEmbd] },
  { suffix: "ffn_up.weight", role: "ffn_up", blocks: "dense", shape: (h) => [h.nEmbd, h.nFf] },
  { suffix: "ffn_gate_inp.weight", role: "ffn_gate_inp", blocks: "moe", shape: (h) => [h.nEmbd, h.nExpert] },
  { suffix: "exp_probs_b.bias", role: "exp_probs_b", blocks: "moe", shape: (h) => [h.nExpert] },
  { suffix: "ffn_gate_exps.weight", role: "ffn_gate_exps", blocks: "moe", shape: (h) => [h.nEmbd, h.nFfExp, h.nExpert] },
  { suffix: "ffn_down_exps.weight", role: "ffn_down_exps", blocks: "moe", shape: (h) => [h.nFfExp, h.nEmbd, h.nExpert] },
  { suffix: "ffn_up_exps.weight", role: "ffn_up_exps", blocks: "moe", shape: (h) => [h.nEmbd, h.nFfExp, h.nExpert] },
  { suffix: "ffn_gate_shexp.weight", role: "ffn_gate_shexp", blocks: "moe", shape: (h) => [h.nEmbd, h.nFfExp * h.nExpertShared] },
  { suffix: "ffn_down_shexp.weight", role: "ffn_down_shexp", blocks: "moe", shape: (h) => [h.nFfExp * h.nExpertShared, h.nEmbd] },
  { suffix: "ffn_up_shexp.weight", role: "ffn_up_shexp", blocks: "moe", shape: (h) => [h.nEmbd, h.nFfExp * h.nExpertShared] },
  { suffix: "indexer.q_proj.weight", role: "indexer_q_proj", blocks: "moe", shape: (h) => [h.nEmbd, h.indexer.nHead * h.indexer.headDim] },
  { suffix: "indexer.k_proj.weight", role: "indexer_k_proj", blocks: "moe", shape: (h) => [h.nEmbd, h.indexer.headDim] },
  { suffix: "indexer.q_norm.weight", role: "indexer_q_norm", blocks: "moe", shape: (h) => [h.indexer.headDim] },
  { suffix: "indexer.k_norm.weight", role: "indexer_k_norm", blocks: "moe", shape: (h) => [h.indexer.headDim] },
];

/** Every tensor llama.cpp's minimax-m3 loader creates, with its shape. */
export function m3TensorTable(h: M3Hparams, nVocab: number): M3TensorSpec[] {
  const out: M3TensorSpec[] = [{ name: "token_embd.weight", role: "token_embd", layer: null, shape: [h.nEmbd, nVocab] }];
  for (let i = 0; i < h.nLayer; i++) {
    const kind: Blocks = i < h.nDenseLead ? "dense" : "moe";
    for (const t of BLOCK_TENSORS) {
      if (t.blocks === "all" || t.blocks === kind) out.push({ name: `blk.${i}.${t.suffix}`, role: t.role, layer: i, shape: t.shape(h) });
    }
  }
  out.push({ name: "output_norm.weight", role: "output_norm", layer: null, shape: [h.nEmbd] });
  out.push({ name: "output.weight", role: "output", layer: null, shape: [h.nEmbd, nVocab] });
  return out;
}

export type M3Quant = "Q2_K" | "Q4_K_M" | "Q8_0";
export const m3Quants: readonly M3Quant[] = ["Q2_K", "Q4_K_M", "Q8_0"];
/** llama_ftype ids of the quants above. */
export const M3_FILE_TYPES: Readonly<Record<M3Quant, number>> = { Q2_K: 10, Q4_K_M: 15, Q8_0: 7 };

// llama-quant.cpp use_more_bits: first and last eighth, and every third layer in between.
function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/**
 * The type llama-quantize gives an M3 tensor at each ftype (llama_tensor_get_type_impl, no imatrix):
 * 1-D tensors and the router stay F32, and so do the indexer projections (llama-quant.cpp skips
 * them; the converter writes them F32). Down projections (routed, shared, dense) follow ffn_down's rule.
 */
export function m3TensorType(quant: M3Quant, spec: Pick<M3TensorSpec, "role" | "layer" | "shape">, nLayer: number): string {
  const layer = spec.layer ?? 0;
  const base = quant === "Q4_K_M" ? "Q4_K" : quant;
  if (spec.shape.length === 1 || spec.role === "ffn_gate_inp" || spec.role === "indexer_q_proj" || spec.role === "indexer_k_proj") return "F32";
  if (quant === "Q8_0") return "Q8_0";
  switch (spec.role) {
    case "output":
      return "Q6_K";
    case "attn_v":
      return quant === "Q4_K_M" ? (useMoreBits(layer, nLayer) ? "Q6_K" : "Q4_K") : "Q4_K";
    case "attn_output":
      return quant === "Q2_K" ? "Q3_K" : base;
    case "ffn_down_exps": case "ffn_down_shexp": case "ffn_down":
      if (quant === "Q4_K_M") return useMoreBits(layer, nLayer) ? "Q6_K" : "Q4_K";
      return "Q3_K";
    default:
      return base;
  }
}

/** Every tensor of MiniMax-M3 at `quant`, as the planner sees it. */
export function m3Tensors(quant: M3Quant, h: M3Hparams = M3_REAL): PlannerTensor[] {
  return m3TensorTable(h, M3_VOCAB).map((s) => {
    const type = m3TensorType(quant, s, h.nLayer);
    return plannerTensor(s.name, tensorBytes(type, s.shape.reduce((a, d) => a * d, 1)), type);
  });
}

/** MiniMax Sparse Attention as a GGUF header gives it (minimax-m3's leading_dense_block_count and attention.indexer.*). */
export interface SparseAttentionDims {
  readonly denseBlocks: number;
  readonly indexerHeads: number;
  readonly indexerKeyLength: number;
  readonly topK: number;
  readonly blockSize: number;
}

/**
 * The KV cache of llama_kv_cache_msa (src/llama-kv-cache-msa.cpp): the main cache `main` with K and V
 * of every block, plus an indexer cache over the sparse (MoE) blocks only — a full llama_kv_cache of
 * one head whose K is the indexer width and whose V keeps the main head size (allocated, though MSA
 * reads only K).
 */
export function sparseAttentionKvCache(main: Omit<PlannerModel["kvCache"], "indexer">, msa: SparseAttentionDims): PlannerModel["kvCache"] {
  return {
    ...main,
    indexer: {
      fromLayer: msa.denseBlocks,
      headDimK: msa.indexerKeyLength,
      headDimV: main.headDimV,
      queryHeads: msa.indexerHeads,
      selectedTokens: msa.topK * msa.blockSize,
    },
  };
}

export function m3KvCache(h: M3Hparams): PlannerModel["kvCache"] {
  return sparseAttentionKvCache(
    { layers: h.nLayer, kvHeads: h.nHeadKv, headDimK: h.headDim, headDimV: h.headDim },
    { denseBlocks: h.nDenseLead, indexerHeads: h.indexer.nHead, indexerKeyLength: h.indexer.headDim, topK: h.indexer.topK, blockSize: h.indexer.blockSize },
  );
}

export function m3Model(quant: M3Quant, h: M3Hparams = M3_REAL): PlannerModel {
  return {
    name: "MiniMax-M3",
    quant,
    tensors: m3Tensors(quant, h),
    layers: h.nLayer,
    expertCount: h.nExpert,
    expertsUsed: h.nExpertUsed,
    heads: h.nHead,
    kvCache: m3KvCache(h),
    vocab: M3_VOCAB,
    trainedContext: h.contextLength,
  };
}
