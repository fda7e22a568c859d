/**
 * Whether the loaded llama.cpp binary can place tensors by pattern (expert offload), and the
 * LlamaModel options for a load plan either way.
 *
 * Expert offload needs patches/node-llama-cpp+*.patch in both halves of node-llama-cpp: the native
 * addon (only binaries from `npm run engine:build`; the prebuilt ones lack it) and LlamaModel.js
 * (patched on install). Without it a plan's overrides would be dropped silently and every expert
 * would land in VRAM, so the plan falls back to whole-layer offload (`gpuLayers`).
 */
import type { Llama } from "node-llama-cpp";
import { LlamaModel } from "node-llama-cpp";
import type { LoadPlan, TensorBufferOverride } from "../../app/planner";
import { tensorBufferOverrides } from "../../app/planner";

export interface ExpertOffloadSupport {
  readonly supported: boolean;
  /** Why not, and how to enable it; absent when supported. */
  readonly message?: string;
}

/** Options to spread into `llama.loadModel({ modelPath, ...options })`. */
export interface OffloadLoadOptions {
  readonly gpuLayers: number;
  readonly tensorBufferOverrides?: readonly TensorBufferOverride[];
  /** node-llama-cpp's memory estimate ignores the overrides; the plan already checked the fit. */
  readonly ignoreMemorySafetyChecks?: boolean;
}

export interface OffloadModelOptions {
  readonly options: OffloadLoadOptions;
  /** True when the plan's expert overrides are applied as planned. */
  readonly expertOffload: boolean;
  /** Set when a plan with expert overrides fell back to layer offload. */
  readonly message?: string;
}

const MARKER = "getTensorBufferOverridesSupport";

/**
 * node-llama-cpp keeps the native addon's exports on the internal `Llama._bindings`. It is not
 * public API, so if a future version renames the field, look for the object that quacks like the
 * addon (it holds the AddonModel class) instead of failing closed on every engine.
 */
function addonExports(llama: Llama): Record<string, unknown> | undefined {
  const isAddon = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)["AddonModel"] === "function";
  const named: unknown = (llama as unknown as { _bindings?: unknown })._bindings;
  if (isAddon(named)) return named;
  return Object.values(llama as unknown as Record<string, unknown>).find(isAddon);
}

function addonSupportsOverrides(llama: Llama): boolean {
  const addon = addonExports(llama);
  const marker = addon?.[MARKER];
  if (typeof marker !== "function") return false;
  try {
    return (marker as () => unknown)() === true;
  } catch {
    return false;
  }
}

/** The JS half: an unpatched LlamaModel drops unknown options, so check it forwards this one. */
function modelForwardsOverrides(): boolean {
  return Function.prototype.toString.call(LlamaModel).includes("tensorBufferOverrides");
}

function backendFlag(llama: Llama): string {
  return llama.gpu === false ? "cpu" : llama.gpu;
}

export function expertOffloadSupport(llama: Llama): ExpertOffloadSupport {
  const build = `npm run engine:build -- --gpu ${backendFlag(llama)}`;
  if (!addonSupportsOverrides(llama)) {
    const which = llama.buildType === "prebuilt" ? "the prebuilt llama.cpp engine" : "this llama.cpp engine build";
    return {
      supported: false,
      message:
        `Expert offload is off: ${which} cannot keep MoE experts in RAM, so layers are offloaded whole instead ` +
        `(fewer layers on the GPU, slower). To enable it, build the engine from source with \`${build}\` ` +
        `(or --gpu cuda, vulkan, metal, cpu for another backend) and restart the app.`,
    };
  }
  if (!modelForwardsOverrides()) {
    return {
      supported: false,
      message:
        "Expert offload is off: node-llama-cpp is installed without the project's patch (installed with --ignore-scripts?), " +
        "so layers are offloaded whole instead. Run `npx patch-package` (or `npm install`) and restart the app.",
    };
  }
  return { supported: true };
}

/**
 * Layers to offload whole when overrides are unavailable: the blocks the plan keeps entirely on a
 * GPU (attention and experts). That is a subset of what the plan put in VRAM, so it still fits;
 * re-planning with `override.gpuLayers` can find a tighter fit.
 */
export function layerOffloadFallback(plan: LoadPlan): number {
  const cpuExperts = new Set(plan.cpuExpertLayers);
  return plan.layerDevices.filter((device, layer) => device >= 0 && !cpuExperts.has(layer)).length;
}

/** The plan as LlamaModel options: its expert overrides when the engine supports them, else whole layers. */
export function modelOptionsForPlan(llama: Llama, plan: LoadPlan): OffloadModelOptions {
  const overrides = tensorBufferOverrides(plan);
  if (overrides.length === 0 || !plan.gpuBackend) {
    return { options: { gpuLayers: plan.gpuBackend ? plan.gpuLayers : 0 }, expertOffload: false };
  }
  const support = expertOffloadSupport(llama);
  if (support.supported) {
    return {
      options: { gpuLayers: plan.gpuLayers, tensorBufferOverrides: overrides, ignoreMemorySafetyChecks: true },
      expertOffload: true,
    };
  }
  return {
    options: { gpuLayers: layerOffloadFallback(plan) },
    expertOffload: false,
    ...(support.message !== undefined ? { message: support.message } : {}),
  };
}
