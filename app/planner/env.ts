/** The request resolved into numbers the search works with: budgets, margins, bandwidths. */
import { gpuBandwidth, hostBandwidth } from "./bandwidth";
import type { BufferParams } from "./buffers";
import {
  DEFAULT_UBATCH,
  GPU_MARGIN_FRACTION,
  GPU_MARGIN_MIN,
  RAM_RESERVE,
  UNIFIED_WORKING_SET_FRACTION,
} from "./constants";
import type { GpuInfo, PlannerModel, PlanRequest } from "./types";

export interface Env extends BufferParams {
  readonly gpus: readonly GpuInfo[];
  readonly unified: boolean;
  /** Per GPU: what it has free (working-set limit on unified memory) and the margin kept from it. */
  readonly gpuAvailable: readonly number[];
  readonly gpuMargin: readonly number[];
  readonly freeRam: number;
  readonly totalRam: number | undefined;
  readonly ramReserve: number;
  readonly gpuBandwidth: readonly number[];
  readonly cpuBandwidth: number;
  readonly split: readonly number[];
  readonly maxContext: number;
}

export function gpuMargin(available: number): number {
  return Math.max(GPU_MARGIN_MIN, available * GPU_MARGIN_FRACTION);
}

export function resolveEnv(req: PlanRequest, model: PlannerModel = req.model): Env {
  const unified = req.host.unifiedMemory === true;
  // Unified memory: one GPU device; its budget is the Metal working set, never more than free RAM.
  const gpus = unified ? req.gpus.slice(0, 1) : req.gpus;
  const gpuAvailable = gpus.map((g) => {
    if (!unified) return g.freeVram;
    const ws = req.host.workingSetLimit ?? (g.freeVram > 0 ? g.freeVram : UNIFIED_WORKING_SET_FRACTION * (req.host.totalRam ?? req.host.freeRam));
    return Math.min(ws, req.host.freeRam);
  });
  return {
    model,
    kvType: req.kvType ?? "f16",
    flashAttention: req.flashAttention ?? true,
    ubatch: req.ubatch ?? DEFAULT_UBATCH,
    gpus,
    unified,
    gpuAvailable,
    gpuMargin: gpuAvailable.map(gpuMargin),
    freeRam: req.host.freeRam,
    totalRam: req.host.totalRam,
    ramReserve: req.host.reserve ?? RAM_RESERVE,
    gpuBandwidth: gpus.map(gpuBandwidth),
    cpuBandwidth: hostBandwidth(req.host, gpus[0]),
    split: gpuAvailable,
    maxContext: model.trainedContext ?? 1_048_576,
  };
}

/** The same machine on the CPU backend: for GPUs too full for even llama.cpp's compute buffers. */
export function withoutGpus(env: Env): Env {
  return { ...env, gpus: [], unified: false, gpuAvailable: [], gpuMargin: [], gpuBandwidth: [], split: [] };
}
