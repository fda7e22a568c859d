/** KV cache and compute-buffer sizes as functions of the context. */
import { CONTEXT_PAD, CPU_COMPUTE_FIXED, GPU_COMPUTE_FIXED } from "./constants";
import type { KvCacheType, PlannerModel } from "./types";
import { roundUp } from "./units";

/** Bytes per element: f16 = 2; q8_0 = 34 B per 32; q4_0 = 18 B per 32. */
export const kvBytesPerElement: Readonly<Record<KvCacheType, number>> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

export function paddedContext(context: number): number {
  return roundUp(Math.max(1, context), CONTEXT_PAD);
}

/** K+V bytes one token occupies in one layer. */
export function kvBytesPerTokenLayer(model: PlannerModel, kvType: KvCacheType): number {
  const { kvHeads, headDimK, headDimV } = model.kvCache;
  return kvHeads * (headDimK + headDimV) * kvBytesPerElement[kvType];
}

export interface BufferParams {
  readonly model: PlannerModel;
  readonly kvType: KvCacheType;
  readonly flashAttention: boolean;
  readonly ubatch: number;
}

/**
 * Compute-buffer bytes per context token on a device that runs attention.
 * Flash attention: the f16 KQ mask row, plus an f16 copy of one layer's K/V when the cache is quantized.
 * Without it: the f32 KQ scores for every head of the ubatch, plus the f32 mask.
 */
export function attentionBytesPerToken(p: BufferParams): number {
  const { kvHeads, headDimK, headDimV } = p.model.kvCache;
  if (p.flashAttention) {
    const dequant = p.kvType === "f16" ? 0 : kvHeads * (headDimK + headDimV) * 2;
    return p.ubatch * 2 + dequant;
  }
  return p.ubatch * p.model.heads * 4 + p.ubatch * 4;
}

/** The output layer's f32 logits for a whole ubatch (llama.cpp reserves the worst case). */
export function logitsBytes(p: BufferParams): number {
  return (p.model.vocab ?? 0) * p.ubatch * 4;
}

export interface ComputeShape {
  readonly isGpu: boolean;
  readonly kvLayers: number;
  readonly holdsOutput: boolean;
  readonly holdsLayers: boolean;
  /** Op-offload staging: CPU-resident weights llama.cpp copies to this GPU for batched prompt ops. */
  readonly stagingBytes: number;
}

/** Compute buffer as `fixed + perToken × paddedContext`. */
export function computeBuffer(p: BufferParams, d: ComputeShape): { fixed: number; perToken: number } {
  if (d.isGpu && !d.holdsLayers && !d.holdsOutput) return { fixed: 0, perToken: 0 };
  const fixed = (d.isGpu ? GPU_COMPUTE_FIXED : CPU_COMPUTE_FIXED) + (d.holdsOutput ? logitsBytes(p) : 0) + d.stagingBytes;
  return { fixed, perToken: d.kvLayers > 0 ? attentionBytesPerToken(p) : 0 };
}
