import { kv, type GgufKv } from "./gguf-values";

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

/**
 * The MiniMax-M3 hyperparameters llama.cpp's minimax-m3 loader reads
 * (models/minimax-m3.cpp load_arch_hparams plus the shared load_hparams).
 */
export interface M3Hparams {
  readonly nLayer: number;
  /** leading_dense_block_count: blocks 0..n-1 have a dense FFN and full attention, the rest MoE + MSA. */
  readonly nDenseLead: number;
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nHeadKv: number;
  readonly headDim: number;
  /** Rotary dims per head (NEOX, the first ones); M3 ropes 64 of 128. */
  readonly nRot: number;
  readonly nExpert: number;
  readonly nExpertUsed: number;
  /** expert_shared_count: shared expert width is nFfExp × this. */
  readonly nExpertShared: number;
  /** feed_forward_length: the dense blocks' FFN width. */
  readonly nFf: number;
  /** expert_feed_forward_length: each routed expert's width. */
  readonly nFfExp: number;
  readonly expertWeightsScale: number;
  readonly contextLength: number;
  readonly ropeFreqBase: number;
  readonly rmsEps: number;
  readonly indexer: M3Indexer;
}

/**
 * MiniMax-M3 (428B-A23B, the loader's LLM_TYPE_428B_A23B for 60 layers). Dims from the published
 * text config as third-party ports carry it (MiniMaxAI/MiniMax-M3 config.json itself is not stored
 * here): hidden 6144, 64 heads / 4 KV heads of 128, rotary 64, dense FFN 12288, 128 experts of
 * 3072 with 4 used and one shared expert of 3072, routed scaling 2.0, sparse attention 4 index
 * heads × 128, top 16 blocks of 128, 1 local block, 1,048,576 positions, rope θ 5e6, vocab 200064.
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

export const M3_VOCAB_SIZE = 200064;

export const M3_ARCH = "minimax-m3";
/** llama_expert_gating_func_type: M3 routes with sigmoid scores plus a selection bias, like M2. */
const GATING_SIGMOID = 2;

export function m3Metadata(h: M3Hparams, name: string): GgufKv[] {
  const a = M3_ARCH;
  return [
    kv.str("general.architecture", a),
    kv.str("general.name", name),
    kv.u32(`${a}.block_count`, h.nLayer),
    kv.u32(`${a}.leading_dense_block_count`, h.nDenseLead),
    kv.u32(`${a}.context_length`, h.contextLength),
    kv.u32(`${a}.embedding_length`, h.nEmbd),
    kv.u32(`${a}.feed_forward_length`, h.nFf),
    kv.u32(`${a}.expert_feed_forward_length`, h.nFfExp),
    kv.u32(`${a}.attention.head_count`, h.nHead),
    kv.u32(`${a}.attention.head_count_kv`, h.nHeadKv),
    kv.u32(`${a}.attention.key_length`, h.headDim),
    kv.u32(`${a}.attention.value_length`, h.headDim),
    kv.f32(`${a}.attention.layer_norm_rms_epsilon`, h.rmsEps),
    kv.u32(`${a}.rope.dimension_count`, h.nRot),
    kv.f32(`${a}.rope.freq_base`, h.ropeFreqBase),
    kv.u32(`${a}.expert_count`, h.nExpert),
    kv.u32(`${a}.expert_used_count`, h.nExpertUsed),
    kv.u32(`${a}.expert_shared_count`, h.nExpertShared),
    kv.f32(`${a}.expert_weights_scale`, h.expertWeightsScale),
    kv.bool(`${a}.expert_weights_norm`, true),
    kv.u32(`${a}.expert_gating_func`, GATING_SIGMOID),
    kv.u32(`${a}.attention.indexer.head_count`, h.indexer.nHead),
    kv.u32(`${a}.attention.indexer.key_length`, h.indexer.headDim),
    kv.u32(`${a}.attention.indexer.top_k`, h.indexer.topK),
    kv.u32(`${a}.attention.indexer.block_size`, h.indexer.blockSize),
    kv.u32(`${a}.attention.indexer.local_blocks`, h.indexer.localBlocks),
  ];
}

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

/** Every tensor llama.cpp's minimax-m3 loader creates (load_arch_tensors), with its shape. */
export function m3TensorTable(h: M3Hparams, nVocab: number): M3TensorSpec[] {
  const q = h.headDim * h.nHead;
  const kvDim = h.headDim * h.nHeadKv;
  const e = h.nEmbd;
  const shared = h.nFfExp * h.nExpertShared;
  const ix = h.indexer;
  const out: M3TensorSpec[] = [{ name: "token_embd.weight", role: "token_embd", layer: null, shape: [e, nVocab] }];
  for (let i = 0; i < h.nLayer; i++) {
    const t = (suffix: string, role: M3TensorRole, shape: number[]) => out.push({ name: `blk.${i}.${suffix}`, role, layer: i, shape });
    t("attn_norm.weight", "attn_norm", [e]);
    t("attn_q.weight", "attn_q", [e, q]);
    t("attn_k.weight", "attn_k", [e, kvDim]);
    t("attn_v.weight", "attn_v", [e, kvDim]);
    t("attn_output.weight", "attn_output", [q, e]);
    // per-head QK norm: one head_dim vector shared by every head (M2's span all heads)
    t("attn_q_norm.weight", "attn_q_norm", [h.headDim]);
    t("attn_k_norm.weight", "attn_k_norm", [h.headDim]);
    t("ffn_norm.weight", "ffn_norm", [e]);
    if (i < h.nDenseLead) {
      t("ffn_gate.weight", "ffn_gate", [e, h.nFf]);
      t("ffn_down.weight", "ffn_down", [h.nFf, e]);
      t("ffn_up.weight", "ffn_up", [e, h.nFf]);
      continue;
    }
    t("ffn_gate_inp.weight", "ffn_gate_inp", [e, h.nExpert]);
    t("exp_probs_b.bias", "exp_probs_b", [h.nExpert]);
    t("ffn_gate_exps.weight", "ffn_gate_exps", [e, h.nFfExp, h.nExpert]);
    t("ffn_down_exps.weight", "ffn_down_exps", [h.nFfExp, e, h.nExpert]);
    t("ffn_up_exps.weight", "ffn_up_exps", [e, h.nFfExp, h.nExpert]);
    t("ffn_gate_shexp.weight", "ffn_gate_shexp", [e, shared]);
    t("ffn_down_shexp.weight", "ffn_down_shexp", [shared, e]);
    t("ffn_up_shexp.weight", "ffn_up_shexp", [e, shared]);
    t("indexer.q_proj.weight", "indexer_q_proj", [e, ix.nHead * ix.headDim]);
    t("indexer.k_proj.weight", "indexer_k_proj", [e, ix.headDim]);
    t("indexer.q_norm.weight", "indexer_q_norm", [ix.headDim]);
    t("indexer.k_norm.weight", "indexer_k_norm", [ix.headDim]);
  }
  out.push({ name: "output_norm.weight", role: "output_norm", layer: null, shape: [e] });
  out.push({ name: "output.weight", role: "output", layer: null, shape: [e, nVocab] });
  return out;
}
