import { kv, type GgufKv } from "./gguf-values";
import type { GgufTensorInput } from "./writer";

const DIMS = { nEmbd: 8, nHead: 2, nHeadKv: 1, headDim: 4, nFf: 8, nExpert: 2 } as const;
const TOKENS = ["a", "b", "c", "d", "e", "f", "g", "h"];

/**
 * The smallest metadata the validator accepts for `arch` (test fixtures): the
 * hyper-parameters minimax-m2's loader needs and an 8-token vocabulary. Enough
 * on its own for other architectures; minimax-m2 also needs minimalModel's tensors.
 */
export function minimalKv(arch: string): GgufKv[] {
  const a = (key: string) => `${arch}.${key}`;
  return [
    kv.str("general.architecture", arch),
    kv.u32(a("block_count"), 1),
    kv.u32(a("context_length"), 256),
    kv.u32(a("embedding_length"), DIMS.nEmbd),
    kv.u32(a("feed_forward_length"), DIMS.nFf),
    kv.u32(a("expert_feed_forward_length"), DIMS.nFf),
    kv.u32(a("attention.head_count"), DIMS.nHead),
    kv.u32(a("attention.head_count_kv"), DIMS.nHeadKv),
    kv.u32(a("attention.key_length"), DIMS.headDim),
    kv.u32(a("attention.value_length"), DIMS.headDim),
    kv.f32(a("attention.layer_norm_rms_epsilon"), 1e-6),
    kv.u32(a("expert_count"), DIMS.nExpert),
    kv.u32(a("expert_used_count"), 1),
    kv.u32(a("expert_gating_func"), 2),
    kv.str("tokenizer.ggml.model", "gpt2"),
    kv.strArr("tokenizer.ggml.tokens", TOKENS),
  ];
}

/** minimalKv plus one layer of every tensor the minimax-m2 loader creates, all zeros. Not meant to generate text. */
export function minimalModel(arch = "minimax-m2"): { kv: GgufKv[]; tensors: GgufTensorInput[] } {
  const { nEmbd: e, nHead, nHeadKv, headDim, nFf, nExpert } = DIMS;
  const q = headDim * nHead;
  const kvDim = headDim * nHeadKv;
  const t = (name: string, shape: number[]): GgufTensorInput => ({ name, shape, type: "F32", data: "zeros" });
  return {
    kv: minimalKv(arch),
    tensors: [
      t("token_embd.weight", [e, TOKENS.length]),
      t("blk.0.attn_norm.weight", [e]),
      t("blk.0.attn_q.weight", [e, q]),
      t("blk.0.attn_k.weight", [e, kvDim]),
      t("blk.0.attn_v.weight", [e, kvDim]),
      t("blk.0.attn_output.weight", [q, e]),
      t("blk.0.attn_q_norm.weight", [q]),
      t("blk.0.attn_k_norm.weight", [kvDim]),
      t("blk.0.ffn_norm.weight", [e]),
      t("blk.0.ffn_gate_inp.weight", [e, nExpert]),
      t("blk.0.ffn_gate_exps.weight", [e, nFf, nExpert]),
      t("blk.0.ffn_up_exps.weight", [e, nFf, nExpert]),
      t("blk.0.ffn_down_exps.weight", [nFf, e, nExpert]),
      t("blk.0.exp_probs_b.bias", [nExpert]),
      t("output_norm.weight", [e]),
      t("output.weight", [e, TOKENS.length]),
    ],
  };
}
