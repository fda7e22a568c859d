import { kv, type GgufKv } from "./gguf-values";

/**
 * The smallest metadata the validator accepts for `arch` (test fixtures): the
 * hyper-parameters minimax-m2's loader needs and an 8-token vocabulary.
 * Tensors are the fixture's own; 1-D ones must be F32.
 */
export function minimalHeaderKv(arch = "minimax-m2"): GgufKv[] {
  const a = (key: string) => `${arch}.${key}`;
  return [
    kv.str("general.architecture", arch),
    kv.u32(a("block_count"), 1),
    kv.u32(a("context_length"), 256),
    kv.u32(a("embedding_length"), 64),
    kv.u32(a("attention.head_count"), 4),
    kv.f32(a("attention.layer_norm_rms_epsilon"), 1e-6),
    kv.u32(a("expert_count"), 2),
    kv.u32(a("expert_used_count"), 1),
    kv.u32(a("feed_forward_length"), 16),
    kv.u32(a("expert_feed_forward_length"), 16),
    kv.u32(a("expert_gating_func"), 2),
    kv.str("tokenizer.ggml.model", "gpt2"),
    kv.strArr("tokenizer.ggml.tokens", ["a", "b", "c", "d", "e", "f", "g", "h"]),
  ];
}
