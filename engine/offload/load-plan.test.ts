import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadPlanViewSchema, type BackendInfo } from "../../app/contract";
import { writeM2HeaderOnly } from "../../node/gguf/m2-header-only";
import { inspectModel, type ModelReport } from "../../node/gguf/report";
import { expertOffloadSupport, layerOffloadFallback, modelOptionsForPlan } from "./capability";
import { appliedOffload, flashAttentionFor, machineFromBackend, planForBackend, planOverride, planView, requireLoadablePlan } from "./load-plan";

const GiB = 1024 ** 3;
const dir = mkdtempSync(join(tmpdir(), "m2d-load-plan-"));
let q4: ModelReport;

beforeAll(async () => {
  const path = join(dir, "MiniMax-M2-Q4_K_M.gguf");
  await writeM2HeaderOnly(path, "Q4_K_M");
  q4 = await inspectModel(path);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function backend(kind: BackendInfo["backend"], vramGiB: number, ramGiB: number, devices = kind === "cpu" ? [] : ["NVIDIA GeForce RTX 4090"]): BackendInfo {
  const vram = vramGiB * GiB;
  return { backend: kind, devices, vram: { total: vram, used: 0, free: vram }, ram: { total: ramGiB * GiB, free: ramGiB * GiB }, cpuThreads: 16 };
}

/**
 * Test double of node-llama-cpp's native addon binding at the one boundary this machine cannot
 * cross: a prebuilt CUDA engine. It exports the addon's classes but not the patch's capability marker.
 */
function unpatchedCudaAddonDouble(): Llama {
  return { _bindings: { AddonModel: class {} }, gpu: "cuda", buildType: "prebuilt" } as unknown as Llama;
}
function patchedCudaAddonDouble(): Llama {
  return { _bindings: { AddonModel: class {}, getTensorBufferOverridesSupport: () => true }, gpu: "cuda", buildType: "localBuild" } as unknown as Llama;
}

describe("planning on the engine's backend", () => {
  it("shares the backend's free VRAM among its devices; Metal is unified memory; the CPU backend has no GPU", () => {
    const two = backend("cuda", 48, 128, ["RTX 3090", "RTX 3090"]);
    expect(machineFromBackend(two).gpus.map((g) => g.freeVram / GiB)).toEqual([24, 24]);
    expect(machineFromBackend(backend("metal", 144, 192, ["Apple M2 Ultra"])).host.unifiedMemory).toBe(true);
    expect(machineFromBackend(backend("cpu", 0, 64)).gpus).toEqual([]);
  });

  it("plans flash attention off only on software Vulkan devices (Mesa 22's llvmpipe crashes in its shader)", () => {
    expect(flashAttentionFor(backend("vulkan", 2, 16, ["llvmpipe (LLVM 15.0.6, 256 bits)"]))).toBe(false);
    expect(flashAttentionFor(backend("vulkan", 24, 64, ["AMD Radeon RX 7900 XTX"]))).toBe(true);
    expect(planForBackend(q4, backend("vulkan", 2, 16, ["llvmpipe (LLVM 15.0.6, 256 bits)"]), {}).flashAttention).toBe(false);
    expect(planForBackend(q4, backend("cpu", 0, 192), {}).flashAttention).toBe(true);
  });

  it("maps each offload choice to the planner's override; the older gpuLayers field means whole layers", () => {
    expect(planOverride({})).toBeUndefined();
    expect(planOverride({ offload: { mode: "cpu-moe", layers: 40 } })).toEqual({ nCpuMoe: 40 });
    expect(planOverride({ offload: { mode: "patterns", patterns: [{ pattern: "exps", device: "cpu" }] } })).toEqual({ patterns: ["exps=CPU"] });
    expect(planOverride({ gpuLayers: 12 })).toEqual({ gpuLayers: 12 });
  });

  it("with no context asked for, plans the largest that fits: M2's whole 196,608 on a 256 GB CPU box, what the 4090 leaves beside its placement", () => {
    expect(planForBackend(q4, backend("cpu", 0, 256), {})).toMatchObject({ fits: true, swaps: false, context: 196_608 });
    const gpu = planForBackend(q4, backend("cuda", 24, 256), {});
    const at32k = planForBackend(q4, backend("cuda", 24, 256), { contextSize: 32768 });
    expect(gpu).toMatchObject({ fits: true, swaps: false, gpuLayers: at32k.gpuLayers });
    expect(gpu.context).toBeGreaterThan(32768);
    expect(gpu.context).toBeLessThanOrEqual(at32k.maxContext);
    // An explicit choice is kept, even where more would fit.
    expect(planForBackend(q4, backend("cpu", 0, 256), { contextSize: 8192 }).context).toBe(8192);
  });

  it("plans M2 Q4_K_M on a 24 GB card with 192 GB RAM as expert offload, applied by a patched engine", () => {
    const plan = planForBackend(q4, backend("cuda", 24, 192), { contextSize: 32768 });
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", context: 32768 });
    const placement = modelOptionsForPlan(patchedCudaAddonDouble(), plan);
    const applied = appliedOffload(plan, placement, false);
    expect(applied).toMatchObject({ mode: "expert-offload", gpuLayers: plan.gpuLayers, risky: false });
    expect(applied.split).toMatch(/^GPU 62\/62 · experts of \d+ layers in RAM$/);
    expect(applied.fallbackReason).toBeUndefined();
  });

  it("falls back to whole-layer offload on an unpatched engine, and says how to enable expert offload", () => {
    const plan = planForBackend(q4, backend("cuda", 24, 192), { contextSize: 32768 });
    const placement = modelOptionsForPlan(unpatchedCudaAddonDouble(), plan);
    expect(placement.options).toEqual({ gpuLayers: layerOffloadFallback(plan) });
    const applied = appliedOffload(plan, placement, false);
    expect(applied.mode).toBe("layer-offload");
    expect(applied.ramExpertLayers).toBe(0);
    expect(applied.split).toBe(`layer offload ${layerOffloadFallback(plan)}/62 (unpatched engine)`);
    expect(applied.fallbackReason).toContain("npm run engine:build -- --gpu cuda");
    expect(applied.fallbackReason).toContain("prebuilt");
  });

  it("refuses a plan that does not fit with the planner's message and suggestions, unless the user accepts the risk", () => {
    const plan = planForBackend(q4, backend("cuda", 16, 64), { contextSize: 32768 });
    expect(plan.fits).toBe(false);
    let caught: unknown;
    try {
      requireLoadablePlan(plan, false);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "bad_request", message: plan.refusal!.message, details: { reason: "plan_does_not_fit" } });
    expect((caught as { details: { suggestions: string[] } }).details.suggestions).toEqual(plan.refusal!.suggestions.map((x) => x.text));
    expect(plan.refusal!.message).toMatch(/\S/);
    expect(() => requireLoadablePlan(plan, true)).not.toThrow();
  });

  it("refuses a plan that swaps until confirmed", () => {
    // A plan that fits the hard limit only by eating into the OS reserve (the planner's `swaps`).
    const plan = { ...planForBackend(q4, backend("cpu", 0, 192), { contextSize: 4096 }), swaps: true };
    expect(() => requireLoadablePlan(plan, false)).toThrow(/swap/);
    expect(() => requireLoadablePlan(plan, true)).not.toThrow();
  });

  it("describes a plan as contract data, with the engine's expert-offload support", () => {
    const info = backend("cuda", 24, 192);
    const plan = planForBackend(q4, info, { offload: { mode: "cpu-moe", layers: 50 } });
    const view = LoadPlanViewSchema.parse(planView(plan, info, expertOffloadSupport(unpatchedCudaAddonDouble())));
    expect(view).toMatchObject({ source: "n-cpu-moe", nCpuMoe: 50, ramExpertLayers: 50, context: 32768 });
    expect(view.expertOffload.supported).toBe(false);
    expect(view.ram.total).toBeGreaterThan(50 * GiB);
  });
});

describe("the real addon's capability, as this checkout has it", () => {
  it("a prebuilt CPU engine lacks the marker and loads a GPU plan as whole layers; a local engine:build has it", async () => {
    const llama = await getLlama({ gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error });
    try {
      const plan = planForBackend(q4, backend("cuda", 24, 192), { contextSize: 32768 });
      const placement = modelOptionsForPlan(llama, plan);
      if (llama.buildType === "prebuilt") {
        expect(placement.expertOffload).toBe(false);
        expect(placement.options).toEqual({ gpuLayers: layerOffloadFallback(plan) });
        expect(appliedOffload(plan, placement, false).fallbackReason).toContain("npm run engine:build -- --gpu cpu");
      } else {
        // `npm run engine:build -- --gpu cpu` was run here: the patched addon takes the overrides
        expect(placement.expertOffload).toBe(true);
      }
    } finally {
      await llama.dispose();
    }
  });
});
