/** Prices a footprint at a context: memory per device, whether it fits, the longest context, decode speed. */
import { computeBuffer, kvBytesPerToken, kvReadBytesPerToken, paddedContext, type KvLayers } from "./buffers";
import { CONTEXT_PAD } from "./constants";
import type { Env } from "./env";
import type { DeviceLoad, Footprint } from "./footprint";
import type { MemoryUse, SpeedEstimate } from "./types";

/** Memory of one device as `fixed + perToken × paddedContext`, split for display. */
interface Linear {
  readonly weights: number;
  readonly fixed: number;
  readonly kvPerToken: number;
  readonly computePerToken: number;
  readonly computeFixed: number;
}

function linear(env: Env, load: DeviceLoad, isGpu: boolean, staging: number): Linear {
  const c = computeBuffer(env, { isGpu, kvLayers: load.kvLayers, holdsLayers: load.holdsLayers, holdsOutput: load.holdsOutput, stagingBytes: staging });
  return {
    weights: load.weights,
    fixed: load.weights + c.fixed,
    kvPerToken: kvBytesPerToken(env.model, env.kvType, load),
    computePerToken: c.perToken,
    computeFixed: c.fixed,
  };
}

const sumLinear = (a: Linear, b: Linear): Linear => ({
  weights: a.weights + b.weights,
  fixed: a.fixed + b.fixed,
  kvPerToken: a.kvPerToken + b.kvPerToken,
  computePerToken: a.computePerToken + b.computePerToken,
  computeFixed: a.computeFixed + b.computeFixed,
});

function use(label: string, l: Linear, ctx: number, margin: number, available: number): MemoryUse {
  const kvCache = l.kvPerToken * ctx;
  const compute = l.computeFixed + l.computePerToken * ctx;
  return { label, weights: l.weights, kvCache, compute, margin, total: l.weights + kvCache + compute, available };
}

/** Longest padded context with `fixed + perToken × ctx ≤ limit`. */
function contextLimit(l: Linear, limit: number): number {
  const perToken = l.kvPerToken + l.computePerToken;
  if (l.fixed > limit) return 0;
  if (perToken === 0) return Number.POSITIVE_INFINITY;
  return Math.floor((limit - l.fixed) / perToken / CONTEXT_PAD) * CONTEXT_PAD;
}

export interface Evaluation {
  readonly footprint: Footprint;
  readonly gpus: readonly MemoryUse[];
  readonly ram: MemoryUse;
  readonly fitsGpu: boolean;
  /** RAM within free RAM minus the reserve. */
  readonly fitsRam: boolean;
  /** RAM within free RAM: loads, but pages. */
  readonly fitsRamHard: boolean;
  /** Longest context this placement allows without swapping, and at all. */
  readonly maxContext: number;
  readonly maxContextHard: number;
  readonly speed: SpeedEstimate;
}

export function evaluate(env: Env, fp: Footprint, context: number): Evaluation {
  const ctx = paddedContext(context);
  const gpuLin = fp.gpus.map((g, d) => linear(env, g, true, d === 0 ? fp.staging : 0));
  const cpuLin = linear(env, fp.cpu, false, 0);
  // Unified memory: the GPU's share comes out of the same RAM.
  const ramLin = env.unified ? gpuLin.reduce(sumLinear, cpuLin) : cpuLin;

  const gpus = gpuLin.map((l, d) => {
    const name = env.gpus[d]?.name ?? `GPU${d}`;
    return use(`GPU${d} ${name}${env.unified ? " (unified)" : ""}`, l, ctx, env.gpuMargin[d] ?? 0, env.gpuAvailable[d] ?? 0);
  });
  const ram = use("RAM", ramLin, ctx, env.ramReserve, env.freeRam);

  const gpuLimits = gpuLin.map((l, d) => contextLimit(l, (env.gpuAvailable[d] ?? 0) - (env.gpuMargin[d] ?? 0)));
  const cap = (n: number): number => Math.min(n, Math.floor(env.maxContext / CONTEXT_PAD) * CONTEXT_PAD);
  const gpuMax = Math.min(Number.POSITIVE_INFINITY, ...gpuLimits);
  return {
    footprint: fp,
    gpus,
    ram,
    fitsGpu: gpus.every((g) => g.total <= g.available - g.margin),
    fitsRam: ram.total <= env.freeRam - env.ramReserve,
    fitsRamHard: ram.total <= env.freeRam,
    maxContext: cap(Math.min(gpuMax, contextLimit(ramLin, env.freeRam - env.ramReserve))),
    maxContextHard: cap(Math.min(gpuMax, contextLimit(ramLin, env.freeRam))),
    speed: speed(env, fp, ctx),
  };
}

/** Decode is memory-bound: each side streams its bytes per token over its bandwidth, one after the other. */
function speed(env: Env, fp: Footprint, ctx: number): SpeedEstimate {
  const kvRead = (l: KvLayers, tokens: number) => kvReadBytesPerToken(env.model, env.kvType, env.flashAttention, l, tokens);
  const seconds = (kvTokens: number): number =>
    fp.gpus.reduce((s, g, d) => s + (g.read + kvRead(g, kvTokens)) / (env.gpuBandwidth[d] ?? 1), 0) +
    (fp.cpu.read + kvRead(fp.cpu, kvTokens)) / env.cpuBandwidth;
  const all: KvLayers = {
    kvLayers: fp.cpu.kvLayers + fp.gpus.reduce((s, g) => s + g.kvLayers, 0),
    indexerKvLayers: fp.cpu.indexerKvLayers + fp.gpus.reduce((s, g) => s + g.indexerKvLayers, 0),
  };
  return {
    gpuReadBytes: fp.gpus.map((g) => g.read),
    cpuReadBytes: fp.cpu.read,
    kvReadBytesAtContext: kvRead(all, ctx),
    gpuBandwidth: env.gpuBandwidth,
    cpuBandwidth: env.cpuBandwidth,
    tokPerSecEmpty: 1 / seconds(0),
    tokPerSecAtContext: 1 / seconds(ctx),
  };
}
