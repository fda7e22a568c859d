/** Turns a chosen placement into the LoadPlan: final numbers, table, explanation, warnings. */
import type { Env } from "./env";
import { evaluate, type Evaluation } from "./evaluate";
import { explain } from "./explain";
import { tensorFootprint } from "./footprint";
import { groupRows } from "./groups";
import { ramShortfall, refuse } from "./refusal";
import { tensorSplit, type LayerLayout } from "./split";
import { isAttentionProjection, isInputTensor, type PlannerTensor } from "./tensors";
import { CPU, type LoadPlan, type PlanMode, type PlanRequest, type Refusal, type TensorBufferOverride } from "./types";
import { formatContext, formatGiB, formatInt } from "./units";

export interface Placement {
  readonly source: LoadPlan["source"];
  readonly gpuLayers: number;
  readonly layout: LayerLayout;
  readonly onCpu: (t: PlannerTensor) => boolean;
  readonly overrides: readonly TensorBufferOverride[];
  readonly nCpuMoe: number | null;
  readonly refusal: Refusal | null;
  readonly warnings: readonly string[];
}

function modeOf(gpuLayers: number, gpuBlocks: number, ramExpertBlocks: number, layers: number): PlanMode {
  if (gpuLayers === 0) return "cpu";
  if (gpuBlocks < layers) return "layer-offload";
  return ramExpertBlocks > 0 ? "expert-offload" : "gpu";
}

export function assemble(req: PlanRequest, env: Env, p: Placement, layers: number): LoadPlan {
  // Final numbers always come from the per-tensor footprint, the single source of truth.
  const fp = tensorFootprint(req.model, p.layout, p.onCpu, env.gpus.length, env.unified);
  const e: Evaluation = evaluate(env, fp, req.context);
  const gpuBlocks = p.layout.blocks.filter((d) => d !== CPU).length;
  const ramExpertBlocks = fp.cpuExpertLayers.filter((l) => p.layout.blocks[l] !== CPU).length;
  const ramAttentionBlocks = new Set(
    req.model.tensors.flatMap((t) => (t.layer !== null && p.layout.blocks[t.layer] !== CPU && isAttentionProjection(t.name) && p.onCpu(t) ? [t.layer] : [])),
  ).size;
  const fits = p.refusal === null && e.fitsGpu && e.fitsRamHard;
  const swaps = fits && !e.fitsRam;
  const mode = modeOf(p.gpuLayers, gpuBlocks, ramExpertBlocks, layers);
  const freeRamNeeded = ramShortfall(env, e);
  const deviceOf = (t: PlannerTensor) =>
    isInputTensor(t) || p.onCpu(t) ? CPU : t.layer === null ? p.layout.output : (p.layout.blocks[t.layer] ?? CPU);

  const warnings = [...p.warnings, ...planWarnings(req, env, e, swaps, freeRamNeeded)];
  const refusal = fits ? null : (p.refusal ?? refuse(req, env, e, req.context));
  return {
    model: {
      name: req.model.name ?? "model",
      quant: req.model.quant ?? "",
      bytes: req.model.tensors.reduce((a, t) => a + t.bytes, 0),
      layers,
    },
    fits,
    swaps,
    mode,
    source: p.source,
    unifiedMemory: env.unified,
    gpuBackend: env.gpus.length > 0,
    gpuLayers: p.gpuLayers,
    gpuBlocks,
    layerDevices: p.layout.blocks,
    cpuExpertLayers: fp.cpuExpertLayers,
    nCpuMoe: p.nCpuMoe,
    overrides: p.overrides,
    tensorSplit: tensorSplit(env.split),
    context: req.context,
    kvType: env.kvType,
    flashAttention: env.flashAttention,
    maxContext: swaps ? e.maxContextHard : e.maxContext,
    groups: groupRows(req.model.tensors, deviceOf),
    gpus: e.gpus,
    ram: e.ram,
    speed: e.speed,
    explanation: explain({
      layers,
      mode,
      gpuBlocks,
      ramExpertBlocks,
      ramAttentionBlocks,
      unified: env.unified,
      custom: p.source === "patterns",
      context: req.context,
      evaluation: e,
      swaps,
      freeRamNeeded,
      refusal,
    }),
    warnings,
    refusal,
  };
}

function planWarnings(req: PlanRequest, env: Env, e: Evaluation, swaps: boolean, freeRamNeeded: number): string[] {
  const w: string[] = [];
  if (swaps) {
    w.push(`RAM use ${formatGiB(e.ram.total)} is above free RAM minus the ${formatGiB(env.ramReserve)} reserve: the OS will page and decoding will crawl; close apps to free ${formatGiB(freeRamNeeded)}`);
  }
  if (req.model.trainedContext !== undefined && req.context > req.model.trainedContext) {
    w.push(`context ${formatContext(req.context)} is beyond the model's trained ${formatInt(req.model.trainedContext)} tokens`);
  }
  if (env.kvType !== "f16" && !env.flashAttention) {
    w.push(`llama.cpp needs flash attention for a quantized (${env.kvType}) V cache`);
  }
  return w;
}

