/**
 * Finds the fastest placement that fits: for each n_gpu_layers, each GPU keeps the experts of as
 * many of its own last layers as fit, the rest of its layers' experts go to RAM.
 *
 * A model with dense blocks (MiniMax-M3's leading blocks: a dense FFN, no routed experts) keeps them on
 * the GPU as long as any placement can: n_gpu_layers would offload them first, since it offloads from
 * the first block. So when a GPU cannot hold its blocks even with all their routed experts in RAM, the
 * attention projections of its MoE blocks go to RAM too (-ot), from the first MoE block, while their KV
 * cache, shared expert and indexer cache stay on the GPU; and a placement keeping every dense block on
 * a GPU wins over a faster one that does not.
 */
import { AppError } from "../contract/errors";
import { computeBuffer, isIndexerKvLayer, kvBytesPerToken, paddedContext } from "./buffers";
import { withoutGpus, type Env } from "./env";
import { evaluate, type Evaluation } from "./evaluate";
import { layerStats, statsFootprint, type LayerStats } from "./footprint";
import { layerLayout, type LayerLayout } from "./split";
import { CPU } from "./types";

export interface Candidate {
  readonly gpuLayers: number;
  readonly layout: LayerLayout;
  /** Per block: experts in RAM although the block is on a GPU. */
  readonly cpuExperts: readonly boolean[];
  /** Per block: attention projections in RAM although the block (and its KV cache) is on a GPU. */
  readonly cpuAttention: readonly boolean[];
  readonly evaluation: Evaluation;
}

export interface SearchResult {
  /** Fastest candidate that fits without swapping, else the fastest that fits in free RAM; null if none. */
  readonly best: Candidate | null;
  /** The GPU-feasible candidate using the least RAM: what a refusal reports and sizes "close apps" from. */
  readonly leastRam: Candidate;
  /** The env the candidates were priced in: the CPU backend's when no placement fits the GPUs. */
  readonly env: Env;
}

const faster = (a: Candidate, b: Candidate): boolean =>
  a.evaluation.speed.tokPerSecAtContext > b.evaluation.speed.tokPerSecAtContext * (1 + 1e-9);

/** Blocks without routed experts in a model that has them (M3's leading dense blocks); none in M2. */
export function denseBlocks(stats: LayerStats): number[] {
  if (!stats.experts.some((e) => e > 0)) return [];
  return stats.experts.flatMap((e, l) => (e > 0 ? [] : [l]));
}

const keepsDense = (c: Candidate, dense: readonly number[]): boolean => dense.every((l) => c.layout.blocks[l] !== CPU);

/** Keeping the dense blocks on a GPU first, then speed. */
const better = (a: Candidate, b: Candidate, dense: readonly number[]): boolean => {
  const ka = keepsDense(a, dense);
  const kb = keepsDense(b, dense);
  return ka !== kb ? ka : faster(a, b);
};

export function search(env: Env, context: number, fixedGpuLayers?: number, stats: LayerStats = layerStats(env.model)): SearchResult {
  const L = env.model.layers;
  const maxNgl = env.gpus.length === 0 ? 0 : L + 1;
  const ngls = fixedGpuLayers === undefined ? range(maxNgl, 0) : [Math.min(fixedGpuLayers, maxNgl)];
  let soft: Candidate | null = null;
  let hard: Candidate | null = null;
  let leastRam: Candidate | null = null;
  const dense = denseBlocks(stats);
  for (const ngl of ngls) {
    const c = candidateFor(env, stats, context, ngl, dense.length > 0);
    if (!c) continue;
    const e = c.evaluation;
    if (!leastRam || e.ram.total < leastRam.evaluation.ram.total) leastRam = c;
    if (e.fitsRam && (!soft || better(c, soft, dense))) soft = c;
    if (e.fitsRamHard && (!hard || better(c, hard, dense))) hard = c;
  }
  if (!leastRam && fixedGpuLayers !== undefined) return search(env, context, undefined, stats);
  // Even n_gpu_layers 0 leaves llama.cpp compute buffers on the GPU: with no room for them, use the CPU backend.
  if (!leastRam) return env.gpus.length > 0 ? search(withoutGpus(env), context, undefined, stats) : fail();
  return { best: soft ?? hard, leastRam, env };
}

function fail(): never {
  throw new AppError("internal", "planner: the CPU backend placement must always be priced");
}

function range(from: number, to: number): number[] {
  return Array.from({ length: from - to + 1 }, (_, i) => from - i);
}

function candidateFor(env: Env, stats: LayerStats, context: number, ngl: number, moveAttention: boolean): Candidate | null {
  const layout = layerLayout(env.model.layers, ngl, env.split);
  const none = layout.blocks.map(() => false);
  const all = evaluateWith(env, stats, context, ngl, layout, none, none);
  if (all.evaluation.fitsGpu || env.unified) return all.evaluation.fitsGpu ? all : null;
  const toRam = expertsToRam(env, stats, context, layout, moveAttention);
  if (!toRam) return null;
  const c = evaluateWith(env, stats, context, ngl, layout, toRam.cpuExperts, toRam.cpuAttention);
  return c.evaluation.fitsGpu ? c : null;
}

function evaluateWith(
  env: Env,
  stats: LayerStats,
  context: number,
  ngl: number,
  layout: LayerLayout,
  cpuExperts: boolean[],
  cpuAttention: boolean[],
): Candidate {
  const fp = statsFootprint(env.model, stats, layout, cpuExperts, env.gpus.length, env.unified, cpuAttention);
  return { gpuLayers: ngl, layout, cpuExperts, cpuAttention, evaluation: evaluate(env, fp, context) };
}

/**
 * Per GPU, the most of its last layers whose experts fit; the others' experts go to RAM. With
 * `moveAttention`, a GPU too small for its blocks even then moves the attention projections of its
 * MoE blocks to RAM, first block first, until they fit.
 * GPU0's op-offload staging is priced at its upper bound (the largest block that could sit in RAM),
 * which keeps the GPUs independent; the exact footprint is evaluated afterwards.
 */
function expertsToRam(
  env: Env,
  stats: LayerStats,
  context: number,
  layout: LayerLayout,
  moveAttention: boolean,
): { cpuExperts: boolean[]; cpuAttention: boolean[] } | null {
  const ctx = paddedContext(context);
  const movable = (l: number): number => (moveAttention && (stats.experts[l] ?? 0) > 0 ? (stats.attention[l] ?? 0) : 0);
  const staging = Math.max(0, ...layout.blocks.map((d, l) => (stats.experts[l] ?? 0) + (d === CPU ? (stats.dense[l] ?? 0) : movable(l))));
  const cpuExperts = layout.blocks.map(() => false);
  const cpuAttention = layout.blocks.map(() => false);
  for (let d = 0; d < env.gpus.length; d++) {
    const mine = layout.blocks.flatMap((dev, l) => (dev === d ? [l] : []));
    const holdsOutput = layout.output === d;
    const kvLayers = mine.filter((l) => l < env.model.kvCache.layers).length;
    const kv = kvBytesPerToken(env.model, env.kvType, { kvLayers, indexerKvLayers: mine.filter((l) => isIndexerKvLayer(env.model, l)).length });
    const c = computeBuffer(env, { isGpu: true, kvLayers, holdsLayers: mine.length > 0, holdsOutput, stagingBytes: d === 0 ? staging : 0 });
    let used = mine.reduce((s, l) => s + (stats.dense[l] ?? 0), 0) + (holdsOutput ? stats.output : 0) + c.fixed + (c.perToken + kv) * ctx;
    const budget = (env.gpuAvailable[d] ?? 0) - (env.gpuMargin[d] ?? 0);
    for (const l of mine) {
      if (used <= budget) break;
      if (movable(l) === 0) continue;
      used -= movable(l);
      cpuAttention[l] = true;
    }
    if (used > budget) return null;
    // Experts stay on the GPU from its last layer backwards while they fit (none once attention had to move).
    const attentionMoved = mine.some((l) => cpuAttention[l]);
    let firstOnGpu = mine.length;
    while (!attentionMoved && firstOnGpu > 0) {
      const l = mine[firstOnGpu - 1] ?? 0;
      const e = stats.experts[l] ?? 0;
      if (used + e > budget) break;
      used += e;
      firstOnGpu--;
    }
    for (const l of mine.slice(0, firstOnGpu)) cpuExperts[l] = true;
  }
  return { cpuExperts, cpuAttention };
}

/** GPU blocks of the candidate whose routed experts are in RAM. */
export function ramExpertBlocks(c: Candidate): number[] {
  return c.layout.blocks.flatMap((d, l) => (d !== CPU && c.cpuExperts[l] ? [l] : []));
}

/** GPU blocks of the candidate whose attention projections are in RAM. */
export function ramAttentionBlocks(c: Candidate): number[] {
  return c.layout.blocks.flatMap((d, l) => (d !== CPU && c.cpuAttention[l] ? [l] : []));
}

/** --n-cpu-moe N giving the candidate's placement with its n_gpu_layers, or null when none does. */
export function candidateNCpuMoe(c: Candidate): number | null {
  return ramAttentionBlocks(c).length > 0 ? null : prefixN(ramExpertBlocks(c), c.layout);
}

/**
 * N such that the GPU blocks with experts in RAM are exactly those below N (--n-cpu-moe N), or null.
 * A block without routed experts (M3's leading dense blocks) is below any N alike: --n-cpu-moe 2
 * on M3 moves block 1's experts and nothing of block 0.
 */
export function prefixN(ramExperts: readonly number[], layout: LayerLayout, hasExperts: (layer: number) => boolean = () => true): number | null {
  const gpuExpertBlocks = layout.blocks.flatMap((d, l) => (d !== CPU && hasExperts(l) ? [l] : []));
  const ram = ramExperts.filter(hasExperts);
  if (!ram.every((l, i) => gpuExpertBlocks[i] === l)) return null;
  return ram.length > 0 ? (ram.at(-1) ?? 0) + 1 : 0;
}
