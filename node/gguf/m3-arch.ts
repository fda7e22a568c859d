import type { M3Hparams } from "../../app/planner/m3-shapes";
import { kv, type GgufKv } from "./gguf-values";
import { attentionRopeKv, GATING_SIGMOID } from "./m2-arch";

export { M3_REAL, M3_VOCAB as M3_VOCAB_SIZE, m3TensorTable, type M3Hparams, type M3Indexer, type M3TensorRole, type M3TensorSpec } from "../../app/planner/m3-shapes";

export const M3_ARCH = "minimax-m3";

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
    ...attentionRopeKv(a, h),
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
