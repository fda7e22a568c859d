/**
 * A load plan for the backend the engine actually opened: its devices' free VRAM and free RAM go
 * into the planner, and the plan comes out as node-llama-cpp options plus what the UI shows.
 */
import {
  AppError,
  DEFAULT_PLAN_CONTEXT,
  type AppliedOffload,
  type BackendInfo,
  type LoadPlanView,
  type OffloadChoice,
} from "../../app/contract";
import { planLoad, type GpuInfo, type HostInfo, type LoadPlan, type PlanOverride, type PlanRequest } from "../../app/planner";
import type { ModelReport } from "../../node/gguf/report";
import type { ExpertOffloadSupport, OffloadModelOptions } from "./capability";
import { plannerModel } from "../../node/gguf/planner-model";
import { planLargestContext, reloadContext } from "../../app/planner/fit-context";

export interface EnginePlanRequest {
  readonly contextSize?: number | undefined;
  readonly offload?: OffloadChoice | undefined;
  /** The older LoadOptions field: whole layers, same as {mode: "layers"}. */
  readonly gpuLayers?: number | undefined;
  /** Another machine's free memory (bytes) instead of the backend's. */
  readonly machine?: { readonly gpuVram: number; readonly ram: number } | undefined;
}

/**
 * The machine as the planner sees it. node-llama-cpp reports VRAM summed over the backend's
 * devices, so each device gets an equal share (llama.cpp splits layers by free VRAM the same way).
 */
export function machineFromBackend(backend: BackendInfo): { gpus: GpuInfo[]; host: HostInfo } {
  const unifiedMemory = backend.backend === "metal";
  const host: HostInfo = { freeRam: backend.ram.free, totalRam: backend.ram.total, ...(unifiedMemory ? { unifiedMemory } : {}) };
  if (backend.backend === "cpu" || backend.devices.length === 0) return { gpus: [], host };
  const share = backend.vram.free / backend.devices.length;
  return { gpus: backend.devices.map((name) => ({ name, freeVram: share })), host };
}

function hypotheticalMachine(machine: { gpuVram: number; ram: number }): { gpus: GpuInfo[]; host: HostInfo } {
  return { gpus: machine.gpuVram > 0 ? [{ name: "GPU", freeVram: machine.gpuVram }] : [], host: { freeRam: machine.ram, totalRam: machine.ram } };
}

/** Software Vulkan devices (Mesa's llvmpipe): Mesa 22's crashes running llama.cpp's flash-attention shader. */
export const isSoftwareDevice = (name: string): boolean => /llvmpipe|lavapipe|softpipe|swiftshader/i.test(name);

/** Flash attention stays llama.cpp's "auto" except on software devices, where it is off. */
export function flashAttentionFor(backend: BackendInfo): boolean {
  return !(backend.backend === "vulkan" && backend.devices.length > 0 && backend.devices.every(isSoftwareDevice));
}

export function planOverride(request: EnginePlanRequest): PlanOverride | undefined {
  const choice = request.offload ?? (request.gpuLayers !== undefined ? { mode: "layers", gpuLayers: request.gpuLayers } : { mode: "auto" });
  switch (choice.mode) {
    case "auto":
      return undefined;
    case "cpu-moe":
      return { nCpuMoe: choice.layers };
    case "patterns":
      return { patterns: choice.patterns.map((p) => `${p.pattern}=CPU`) };
    case "layers":
      return { gpuLayers: choice.gpuLayers };
  }
}

/** The asked-for context, else the trained one capped at DEFAULT_PLAN_CONTEXT (the base a default plan starts from). */
export function planContext(report: ModelReport, contextSize: number | undefined): number {
  return contextSize ?? Math.min(report.contextLength ?? DEFAULT_PLAN_CONTEXT, DEFAULT_PLAN_CONTEXT);
}

/** The planner's request for `report` on `backend`, every field but the context. */
function planRequestFor(report: ModelReport, backend: BackendInfo, request: EnginePlanRequest): Omit<PlanRequest, "context"> {
  const override = planOverride(request);
  return {
    model: plannerModel(report),
    flashAttention: request.machine ? true : flashAttentionFor(backend),
    ...(request.machine ? hypotheticalMachine(request.machine) : machineFromBackend(backend)),
    ...(override ? { override } : {}),
  };
}

/**
 * The plan at the asked-for context; with none asked for, at the largest context that fits beside the
 * placement chosen at the base context, up to the model's trained context.
 */
export function planForBackend(report: ModelReport, backend: BackendInfo, request: EnginePlanRequest): LoadPlan {
  const req = planRequestFor(report, backend, request);
  if (request.contextSize !== undefined) return planLoad({ ...req, context: request.contextSize });
  return planLargestContext(req, planContext(report, undefined));
}

/** The context to reload with for a prompt needing `needed` tokens (see reloadContext), with the same offload choice. */
export function reloadContextForBackend(report: ModelReport, backend: BackendInfo, request: EnginePlanRequest, needed: number, current: number): number | null {
  return reloadContext(planRequestFor(report, backend, request), needed, current);
}

/**
 * Throws what is wrong with the request itself (override patterns, context, layer counts), whatever
 * memory the machine has: a load checks this before it unloads the model it replaces.
 */
export function validatePlanRequest(report: ModelReport, request: EnginePlanRequest): void {
  const override = planOverride(request);
  planLoad({
    model: plannerModel(report),
    context: planContext(report, request.contextSize),
    flashAttention: true,
    ...hypotheticalMachine({ gpuVram: 2 ** 50, ram: 2 ** 50 }),
    ...(override ? { override } : {}),
  });
}

/** The backend as it would be once the model loaded with `plan` is unloaded: its planned memory counted free. */
export function backendWithout(backend: BackendInfo, plan: LoadPlan): BackendInfo {
  const vram = plan.gpus.reduce((sum, gpu) => sum + gpu.total, 0);
  return {
    ...backend,
    vram: { ...backend.vram, free: backend.vram.free + vram, used: Math.max(0, backend.vram.used - vram) },
    ram: { ...backend.ram, free: Math.min(backend.ram.total, backend.ram.free + plan.ram.total) },
  };
}

/** GPU layers whose experts the plan keeps in RAM. */
function ramExpertLayers(plan: LoadPlan): number {
  return plan.cpuExpertLayers.filter((layer) => (plan.layerDevices[layer] ?? -1) >= 0).length;
}

/**
 * A plan the user did not confirm must fit without swapping; otherwise the planner's message and
 * suggestions come back as a typed error, and nothing is loaded.
 */
export function requireLoadablePlan(plan: LoadPlan, acceptRisk: boolean): void {
  if (acceptRisk) return;
  if (!plan.fits) {
    throw new AppError("bad_request", plan.refusal?.message ?? plan.explanation, {
      reason: "plan_does_not_fit",
      suggestions: plan.refusal?.suggestions.map((s) => s.text) ?? [],
    });
  }
  if (plan.swaps) {
    throw new AppError("bad_request", `This plan needs more RAM than is free, so the system would swap: ${plan.explanation}. Confirm to load it anyway.`, {
      reason: "plan_swaps",
    });
  }
}

/** The status-bar text for what was loaded. */
export function splitLabel(plan: LoadPlan, placement: OffloadModelOptions): string {
  const layers = plan.model.layers;
  const onGpu = Math.min(placement.options.gpuLayers, layers);
  if (!plan.gpuBackend || placement.options.gpuLayers === 0) return "CPU only";
  if (placement.message !== undefined) return `layer offload ${onGpu}/${layers} (unpatched engine)`;
  const ramExperts = ramExpertLayers(plan);
  if (plan.mode === "layer-offload") return `layer offload ${onGpu}/${layers}${ramExperts > 0 ? ` · experts of ${ramExperts} layers in RAM` : ""}`;
  return `GPU ${plan.gpuBlocks}/${layers}${ramExperts > 0 ? ` · experts of ${ramExperts} layers in RAM` : ""}`;
}

export function appliedOffload(plan: LoadPlan, placement: OffloadModelOptions, risky: boolean): AppliedOffload {
  const fellBack = placement.message !== undefined;
  return {
    mode: fellBack ? "layer-offload" : plan.gpuBackend ? plan.mode : "cpu",
    split: splitLabel(plan, placement),
    explanation: plan.explanation,
    gpuLayers: placement.options.gpuLayers,
    ramExpertLayers: placement.expertOffload ? ramExpertLayers(plan) : 0,
    ...(fellBack ? { fallbackReason: placement.message } : {}),
    risky,
  };
}

/** The plan as contract data. */
export function planView(plan: LoadPlan, backend: BackendInfo, support: ExpertOffloadSupport, hypothetical = false): LoadPlanView {
  return {
    model: plan.model,
    backend,
    hypothetical,
    fits: plan.fits,
    swaps: plan.swaps,
    mode: plan.mode,
    source: plan.source,
    gpuLayers: plan.gpuLayers,
    gpuBlocks: plan.gpuBlocks,
    ramExpertLayers: ramExpertLayers(plan),
    nCpuMoe: plan.nCpuMoe,
    overrides: [...plan.overrides],
    context: plan.context,
    maxContext: plan.maxContext,
    groups: plan.groups.map((g) => ({ ...g })),
    gpus: plan.gpus.map((g) => ({ ...g })),
    ram: { ...plan.ram },
    speed: { tokPerSecEmpty: plan.speed.tokPerSecEmpty, tokPerSecAtContext: plan.speed.tokPerSecAtContext },
    explanation: plan.explanation,
    warnings: [...plan.warnings],
    refusal: plan.refusal ? { message: plan.refusal.message, suggestions: plan.refusal.suggestions.map((s) => ({ kind: s.kind, text: s.text })) } : null,
    expertOffload: support.supported ? { supported: true } : { supported: false, ...(support.message !== undefined ? { message: support.message } : {}) },
  };
}
