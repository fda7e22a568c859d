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

/** K+V bytes one token occupies in one layer's MSA indexer cache (0 without one). */
export function indexerKvBytesPerTokenLayer(model: PlannerModel, kvType: KvCacheType): number {
  const ix = model.kvCache.indexer;
  // one head: llama_kv_cache_msa sets the indexer cache's n_head_kv to 1
  return ix ? (ix.headDimK + ix.headDimV) * kvBytesPerElement[kvType] : 0;
}

export function isIndexerKvLayer(model: PlannerModel, layer: number): boolean {
  const ix = model.kvCache.indexer;
  return ix !== undefined && layer >= ix.fromLayer && layer < model.kvCache.layers;
}

/** The cache layers one device holds: main K/V layers, and how many of them also hold an indexer cache. */
export interface KvLayers {
  readonly kvLayers: number;
  readonly indexerKvLayers: number;
}

/** KV bytes one token occupies on a device holding `l`. */
export function kvBytesPerToken(model: PlannerModel, kvType: KvCacheType, l: KvLayers): number {
  return l.kvLayers * kvBytesPerTokenLayer(model, kvType) + l.indexerKvLayers * indexerKvBytesPerTokenLayer(model, kvType);
}

/**
 * KV bytes one decoded token reads on a device holding `l` with `tokens` in context. MSA (flash
 * attention on) reads the indexer keys of every token but the main K/V of the selected blocks only;
 * without flash attention llama.cpp runs those layers dense.
 */
export function kvReadBytesPerToken(model: PlannerModel, kvType: KvCacheType, flashAttention: boolean, l: KvLayers, tokens: number): number {
  const main = kvBytesPerTokenLayer(model, kvType);
  const ix = model.kvCache.indexer;
  if (!ix || !flashAttention || l.indexerKvLayers === 0) return l.kvLayers * main * tokens;
  const dense = l.kvLayers - l.indexerKvLayers;
  const indexerKeys = ix.headDimK * kvBytesPerElement[kvType];
  return dense * main * tokens + l.indexerKvLayers * (main * Math.min(tokens, ix.selectedTokens) + indexerKeys * tokens);
}

export interface BufferParams {
  readonly model: PlannerModel;
  readonly kvType: KvCacheType;
  readonly flashAttention: boolean;
  readonly ubatch: number;
}

/**
 * MSA's prompt-batch graph (models/minimax-m3.cpp) per (context token × ubatch token), an estimate
 * from the tensors one sparse layer keeps live: f32 indexer scores and the f32 block mask expanded to
 * cells, per indexer head, the f16 per-head FA mask, and the f32 position mask and mask copy.
 */
function msaBytesPerPair(indexerHeads: number): number {
  return indexerHeads * (4 + 4 + 2) + 4 + 4;
}

/**
 * Compute-buffer bytes per context token on a device that runs attention.
 * Flash attention: the f16 KQ mask row, plus an f16 copy of one layer's K/V when the cache is quantized.
 * Without it: the f32 KQ scores for every head of the ubatch, plus the f32 mask.
 */
export function attentionBytesPerToken(p: BufferParams): number {
  const { kvHeads, headDimK, headDimV, indexer } = p.model.kvCache;
  if (p.flashAttention) {
    const dequant = p.kvType === "f16" ? 0 : kvHeads * (headDimK + headDimV) * 2;
    return p.ubatch * (2 + (indexer ? msaBytesPerPair(indexer.queryHeads) : 0)) + dequant;
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
