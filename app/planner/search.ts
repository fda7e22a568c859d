/**
 * Finds the fastest placement that fits: for each n_gpu_layers, each GPU keeps the experts of as
 * many of its own last layers as fit, the rest of its layers' experts go to RAM.
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

export function search(env: Env, context: number, fixedGpuLayers?: number, stats: LayerStats = layerStats(env.model)): SearchResult {
  const L = env.model.layers;
  const maxNgl = env.gpus.length === 0 ? 0 : L + 1;
  const ngls = fixedGpuLayers === undefined ? range(maxNgl, 0) : [Math.min(fixedGpuLayers, maxNgl)];
  let soft: Candidate | null = null;
  let hard: Candidate | null = null;
  let leastRam: Candidate | null = null;
  for (const ngl of ngls) {
    const c = candidateFor(env, stats, context, ngl);
    if (!c) continue;
    const e = c.evaluation;
    if (!leastRam || e.ram.total < leastRam.evaluation.ram.total) leastRam = c;
    if (e.fitsRam && (!soft || faster(c, soft))) soft = c;
    if (e.fitsRamHard && (!hard || faster(c, hard))) hard = c;
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

function candidateFor(env: Env, stats: LayerStats, context: number, ngl: number): Candidate | null {
  const layout = layerLayout(env.model.layers, ngl, env.split);
  const none = layout.blocks.map(() => false);
  const all = evaluateWith(env, stats, context, ngl, layout, none);
  if (all.evaluation.fitsGpu || env.unified) return all.evaluation.fitsGpu ? all : null;
  const cpuExperts = expertsToRam(env, stats, context, layout);
  if (!cpuExperts) return null;
  const c = evaluateWith(env, stats, context, ngl, layout, cpuExperts);
  return c.evaluation.fitsGpu ? c : null;
}

function evaluateWith(env: Env, stats: LayerStats, context: number, ngl: number, layout: LayerLayout, cpuExperts: boolean[]): Candidate {
  const fp = statsFootprint(env.model, stats, layout, cpuExperts, env.gpus.length, env.unified);
  return { gpuLayers: ngl, layout, cpuExperts, evaluation: evaluate(env, fp, context) };
}

/**
 * Per GPU, the most of its last layers whose experts fit; the others' experts go to RAM.
 * GPU0's op-offload staging is priced at its upper bound (the largest block that could sit in RAM),
 * which keeps the GPUs independent; the exact footprint is evaluated afterwards.
 */
function expertsToRam(env: Env, stats: LayerStats, context: number, layout: LayerLayout): boolean[] | null {
  const ctx = paddedContext(context);
  const staging = Math.max(0, ...layout.blocks.map((d, l) => (stats.experts[l] ?? 0) + (d === CPU ? (stats.dense[l] ?? 0) : 0)));
  const cpuExperts = layout.blocks.map(() => false);
  for (let d = 0; d < env.gpus.length; d++) {
    const mine = layout.blocks.flatMap((dev, l) => (dev === d ? [l] : []));
    const holdsOutput = layout.output === d;
    const kvLayers = mine.filter((l) => l < env.model.kvCache.layers).length;
    const kv = kvBytesPerToken(env.model, env.kvType, { kvLayers, indexerKvLayers: mine.filter((l) => isIndexerKvLayer(env.model, l)).length });
    const c = computeBuffer(env, { isGpu: true, kvLayers, holdsLayers: mine.length > 0, holdsOutput, stagingBytes: d === 0 ? staging : 0 });
    let used = mine.reduce((s, l) => s + (stats.dense[l] ?? 0), 0) + (holdsOutput ? stats.output : 0) + c.fixed + (c.perToken + kv) * ctx;
    const budget = (env.gpuAvailable[d] ?? 0) - (env.gpuMargin[d] ?? 0);
    if (used > budget) return null;
    // Experts stay on the GPU from its last layer backwards while they fit.
    let firstOnGpu = mine.length;
    while (firstOnGpu > 0) {
      const l = mine[firstOnGpu - 1] ?? 0;
      const e = stats.experts[l] ?? 0;
      if (used + e > budget) break;
      used += e;
      firstOnGpu--;
    }
    for (const l of mine.slice(0, firstOnGpu)) cpuExperts[l] = true;
  }
  return cpuExperts;
}

/** N such that the GPU blocks with experts in RAM are exactly those below N (--n-cpu-moe N), or null. */
export function prefixN(ramExperts: readonly number[], layout: LayerLayout): number | null {
  const gpuBlocks = layout.blocks.flatMap((d, l) => (d === CPU ? [] : [l]));
  if (!ramExperts.every((l, i) => gpuBlocks[i] === l)) return null;
  return ramExperts.length > 0 ? (ramExperts.at(-1) ?? 0) + 1 : 0;
}
