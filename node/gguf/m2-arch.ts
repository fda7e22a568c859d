import type { MiniMaxHparams } from "../../app/planner/m3-shapes";
import { kv, type GgufKv } from "./gguf-values";

/** The MiniMax-M2 hyperparameters llama.cpp's minimax-m2 loader reads (llama-model.cpp, models/minimax-m2.cpp): the ones M3 shares. */
export type M2Hparams = MiniMaxHparams;

/** MiniMax-M2 (230B-A10B) as published. */
export const M2_REAL: M2Hparams = {
  nLayer: 62,
  nEmbd: 3072,
  nHead: 48,
  nHeadKv: 8,
  headDim: 128,
  nRot: 64,
  nExpert: 256,
  nExpertUsed: 8,
  nFfExp: 1536,
  contextLength: 196608,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
};

export const M2_ARCH = "minimax-m2";
/** llama_expert_gating_func_type: M2 (and M3) route with sigmoid scores plus a selection bias. */
export const GATING_SIGMOID = 2;

/** The attention and rope keys M2 and M3 share, in the order both write them (`a` is the architecture). */
export function attentionRopeKv(a: string, h: MiniMaxHparams): GgufKv[] {
  return [
    kv.u32(`${a}.attention.head_count`, h.nHead),
    kv.u32(`${a}.attention.head_count_kv`, h.nHeadKv),
    kv.u32(`${a}.attention.key_length`, h.headDim),
    kv.u32(`${a}.attention.value_length`, h.headDim),
    kv.f32(`${a}.attention.layer_norm_rms_epsilon`, h.rmsEps),
    kv.u32(`${a}.rope.dimension_count`, h.nRot),
    kv.f32(`${a}.rope.freq_base`, h.ropeFreqBase),
  ];
}

export function m2Metadata(h: M2Hparams, name: string): GgufKv[] {
  const a = M2_ARCH;
  return [
    kv.str("general.architecture", a),
    kv.str("general.name", name),
    kv.u32(`${a}.block_count`, h.nLayer),
    kv.u32(`${a}.context_length`, h.contextLength),
    kv.u32(`${a}.embedding_length`, h.nEmbd),
    // the minimax-m2 loader sizes expert tensors from n_ff (feed_forward_length), so both keys carry the expert width
    kv.u32(`${a}.feed_forward_length`, h.nFfExp),
    kv.u32(`${a}.expert_feed_forward_length`, h.nFfExp),
    ...attentionRopeKv(a, h),
    kv.u32(`${a}.expert_count`, h.nExpert),
    kv.u32(`${a}.expert_used_count`, h.nExpertUsed),
    // without it build_moe_ffn aborts (gating NONE)
    kv.u32(`${a}.expert_gating_func`, GATING_SIGMOID),
  ];
}

/** What a tensor is, so generators can fill it and quant mixes can type it. */
export type M2TensorRole =
  | "token_embd" | "output_norm" | "output"
  | "attn_norm" | "attn_q" | "attn_k" | "attn_v" | "attn_output" | "attn_q_norm" | "attn_k_norm"
  | "ffn_norm" | "ffn_gate_inp" | "ffn_gate_exps" | "ffn_up_exps" | "ffn_down_exps" | "exp_probs_b";

export interface M2TensorSpec {
  readonly name: string;
  readonly role: M2TensorRole;
  /** null for the global tensors. */
  readonly layer: number | null;
  /** ggml order: shape[0] is the input / row length. */
  readonly shape: readonly number[];
}

/** Every tensor llama.cpp's minimax-m2 loader creates, with its shape. */
export function m2TensorTable(h: M2Hparams, nVocab: number): M2TensorSpec[] {
  const q = h.headDim * h.nHead;
  const kvDim = h.headDim * h.nHeadKv;
  const e = h.nEmbd;
  const out: M2TensorSpec[] = [{ name: "token_embd.weight", role: "token_embd", layer: null, shape: [e, nVocab] }];
  for (let i = 0; i < h.nLayer; i++) {
    const t = (suffix: string, role: M2TensorRole, shape: number[]) =>
      out.push({ name: `blk.${i}.${suffix}`, role, layer: i, shape });
    t("attn_norm.weight", "attn_norm", [e]);
    t("attn_q.weight", "attn_q", [e, q]);
    t("attn_k.weight", "attn_k", [e, kvDim]);
    t("attn_v.weight", "attn_v", [e, kvDim]);
    t("attn_output.weight", "attn_output", [q, e]);
    t("attn_q_norm.weight", "attn_q_norm", [q]);
    t("attn_k_norm.weight", "attn_k_norm", [kvDim]);
    t("ffn_norm.weight", "ffn_norm", [e]);
    t("ffn_gate_inp.weight", "ffn_gate_inp", [e, h.nExpert]);
    t("ffn_gate_exps.weight", "ffn_gate_exps", [e, h.nFfExp, h.nExpert]);
    t("ffn_up_exps.weight", "ffn_up_exps", [e, h.nFfExp, h.nExpert]);
    t("ffn_down_exps.weight", "ffn_down_exps", [h.nFfExp, e, h.nExpert]);
    t("exp_probs_b.bias", "exp_probs_b", [h.nExpert]);
  }
  out.push({ name: "output_norm.weight", role: "output_norm", layer: null, shape: [e] });
  out.push({ name: "output.weight", role: "output", layer: null, shape: [e, nVocab] });
  return out;
}
