/**
 * Where the bytes sit for one placement, independent of the context: resident weights,
 * weight bytes read per decoded token, and how many KV layers each device holds.
 */
import { isIndexerKvLayer } from "./buffers";
import type { LayerLayout } from "./split";
import type { PlannerTensor } from "./tensors";
import { isAttentionProjection, isInputTensor } from "./tensors";
import { CPU, type DeviceIndex, type PlannerModel } from "./types";

export interface DeviceLoad {
  weights: number;
  /** Weight bytes read per decoded token: all of dense tensors, expertsUsed/expertCount of experts. */
  read: number;
  kvLayers: number;
  /** Of kvLayers, those with an MSA indexer cache too. */
  indexerKvLayers: number;
  holdsLayers: boolean;
  holdsOutput: boolean;
}

export interface Footprint {
  readonly gpus: readonly DeviceLoad[];
  readonly cpu: DeviceLoad;
  /**
   * Op-offload staging on GPU0: for prompt batches (≥32 tokens) llama.cpp runs matmuls whose
   * weights are in RAM on the first GPU, copying a block's CPU weights into its compute buffer.
   * Sized as the largest block's CPU-resident weights; 0 with no GPU or on unified memory.
   */
  readonly staging: number;
  /** Blocks with expert tensors in RAM. */
  readonly cpuExpertLayers: readonly number[];
}

const emptyLoad = (): DeviceLoad => ({ weights: 0, read: 0, kvLayers: 0, indexerKvLayers: 0, holdsLayers: false, holdsOutput: false });

function skeleton(model: PlannerModel, layout: LayerLayout, gpuCount: number) {
  const gpus = Array.from({ length: gpuCount }, emptyLoad);
  const cpu = emptyLoad();
  const at = (d: DeviceIndex): DeviceLoad => (d === CPU ? cpu : (gpus[d] ?? cpu));
  layout.blocks.forEach((d, l) => {
    at(d).holdsLayers = true;
    if (l < model.kvCache.layers) at(d).kvLayers++;
    if (isIndexerKvLayer(model, l)) at(d).indexerKvLayers++;
  });
  at(layout.output).holdsOutput = true;
  return { gpus, cpu, at };
}

function expertFraction(model: PlannerModel): number {
  return model.expertCount > 0 ? model.expertsUsed / model.expertCount : 1;
}

/** Footprint from each tensor's device: the layout's, unless `onCpu` (the overrides) says RAM. */
export function tensorFootprint(
  model: PlannerModel,
  layout: LayerLayout,
  onCpu: (t: PlannerTensor) => boolean,
  gpuCount: number,
  unified: boolean,
): Footprint {
  const { gpus, cpu, at } = skeleton(model, layout, gpuCount);
  const cpuResident = new Array<number>(model.layers).fill(0);
  const cpuExperts = new Set<number>();
  const frac = expertFraction(model);
  for (const t of model.tensors) {
    const d = isInputTensor(t) || onCpu(t) ? CPU : t.layer === null ? layout.output : (layout.blocks[t.layer] ?? CPU);
    const load = at(d);
    load.weights += t.bytes;
    // token_embd is a row lookup per token: negligible.
    load.read += isInputTensor(t) ? 0 : t.isExpert ? t.bytes * frac : t.bytes;
    if (d === CPU && t.layer !== null) {
      cpuResident[t.layer] = (cpuResident[t.layer] ?? 0) + t.bytes;
      if (t.isExpert) cpuExperts.add(t.layer);
    }
  }
  const staging = gpuCount > 0 && !unified ? Math.max(0, ...cpuResident) : 0;
  return { gpus, cpu, staging, cpuExpertLayers: [...cpuExperts].sort((a, b) => a - b) };
}

/** Per-block sums, so the search can price a placement in O(layers). */
export interface LayerStats {
  /** Every non-expert tensor of the block (attention included). */
  readonly dense: readonly number[];
  readonly experts: readonly number[];
  /** Of `dense`, the attention and indexer projections (isAttentionProjection). */
  readonly attention: readonly number[];
  /** token_embd (always CPU). */
  readonly input: number;
  /** output, output_norm and any other global tensor (on the output layer's device). */
  readonly output: number;
}

export function layerStats(model: PlannerModel): LayerStats {
  const dense = new Array<number>(model.layers).fill(0);
  const experts = new Array<number>(model.layers).fill(0);
  const attention = new Array<number>(model.layers).fill(0);
  let input = 0;
  let output = 0;
  for (const t of model.tensors) {
    if (isInputTensor(t)) input += t.bytes;
    else if (t.layer === null) output += t.bytes;
    else if (t.isExpert) experts[t.layer] = (experts[t.layer] ?? 0) + t.bytes;
    else {
      dense[t.layer] = (dense[t.layer] ?? 0) + t.bytes;
      if (isAttentionProjection(t.name)) attention[t.layer] = (attention[t.layer] ?? 0) + t.bytes;
    }
  }
  return { dense, experts, attention, input, output };
}

/**
 * Same result as tensorFootprint with expert overrides for `cpuExperts` and attention overrides for
 * `cpuAttention` (GPU blocks whose projections are in RAM), in O(layers).
 */
export function statsFootprint(
  model: PlannerModel,
  stats: LayerStats,
  layout: LayerLayout,
  cpuExperts: readonly boolean[],
  gpuCount: number,
  unified: boolean,
  cpuAttention: readonly boolean[] = [],
): Footprint {
  const { gpus, cpu, at } = skeleton(model, layout, gpuCount);
  const frac = expertFraction(model);
  let staging = 0;
  const cpuExpertLayers: number[] = [];
  cpu.weights += stats.input;
  const out = at(layout.output);
  out.weights += stats.output;
  out.read += stats.output;
  layout.blocks.forEach((d, l) => {
    const experts = stats.experts[l] ?? 0;
    const expertsOnCpu = d === CPU || cpuExperts[l] === true;
    const moved = d !== CPU && cpuAttention[l] === true ? (stats.attention[l] ?? 0) : 0;
    const dense = (stats.dense[l] ?? 0) - moved;
    at(d).weights += dense;
    at(d).read += dense;
    cpu.weights += moved;
    cpu.read += moved;
    const e = expertsOnCpu ? cpu : at(d);
    e.weights += experts;
    e.read += experts * frac;
    if (expertsOnCpu && experts > 0) cpuExpertLayers.push(l);
    staging = Math.max(staging, (d === CPU ? dense : moved) + (expertsOnCpu ? experts : 0));
  });
  return { gpus, cpu, staging: gpuCount > 0 && !unified ? staging : 0, cpuExpertLayers };
}
