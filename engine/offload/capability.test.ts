import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planLoad } from "../../app/planner";
import { m2Request, ram192, rtx4090 } from "../../app/planner/test-rigs";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { expertOffloadSupport, layerOffloadFallback, modelOptionsForPlan } from "./capability";

/** A Llama whose addon exports are `addon`: capability detection reads nothing else. */
function fakeLlama(addon: Record<string, unknown>, gpu: Llama["gpu"] = "cuda", field = "_bindings"): Llama {
  return { [field]: { AddonModel: class {}, ...addon }, gpu, buildType: "localBuild" } as unknown as Llama;
}

// M2 Q4_K_M on a 24 GB card: attention on the GPU, most experts in RAM.
const plan = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192));

describe("expertOffloadSupport", () => {
  it("is supported when the addon has the patch's marker", () => {
    expect(expertOffloadSupport(fakeLlama({ getTensorBufferOverridesSupport: () => true }))).toEqual({ supported: true });
  });

  it("finds the addon even if node-llama-cpp renames _bindings", () => {
    expect(expertOffloadSupport(fakeLlama({ getTensorBufferOverridesSupport: () => true }, "vulkan", "_addon")).supported).toBe(true);
  });

  it("is unsupported without the marker, and says how to build for the same backend", () => {
    const support = expertOffloadSupport(fakeLlama({}, "vulkan"));
    expect(support.supported).toBe(false);
    expect(support.message).toContain("npm run engine:build -- --gpu vulkan");
  });

  it("treats a marker that throws or says false as unsupported", () => {
    expect(expertOffloadSupport(fakeLlama({ getTensorBufferOverridesSupport: () => false })).supported).toBe(false);
    expect(expertOffloadSupport(fakeLlama({ getTensorBufferOverridesSupport: () => { throw new Error("x"); } })).supported).toBe(false);
  });
});

describe("modelOptionsForPlan", () => {
  it("passes the plan's overrides when supported, past node-llama-cpp's override-blind memory checks", () => {
    expect(plan.overrides.length).toBeGreaterThan(0);
    const out = modelOptionsForPlan(fakeLlama({ getTensorBufferOverridesSupport: () => true }), plan);
    expect(out).toEqual({
      options: { gpuLayers: plan.gpuLayers, tensorBufferOverrides: plan.overrides, ignoreMemorySafetyChecks: true },
      expertOffload: true,
    });
  });

  it("falls back to the blocks the plan keeps wholly on the GPU, with the message", () => {
    const out = modelOptionsForPlan(fakeLlama({}), plan);
    const whole = plan.layerDevices.filter((d, l) => d >= 0 && !plan.cpuExpertLayers.includes(l)).length;
    expect(out.options).toEqual({ gpuLayers: whole });
    expect(layerOffloadFallback(plan)).toBe(whole);
    expect(whole).toBeLessThan(plan.gpuBlocks);
    expect(out.expertOffload).toBe(false);
    expect(out.message).toContain("npm run engine:build -- --gpu cuda");
  });

  it("needs no overrides, and no message, for a plan without them", () => {
    const cpuPlan = { ...plan, overrides: [], gpuBackend: false };
    expect(modelOptionsForPlan(fakeLlama({}), cpuPlan)).toEqual({ options: { gpuLayers: 0 }, expertOffload: false });
  });
});

describe("the prebuilt engine", () => {
  let llama: Llama;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error });
  });
  afterAll(async () => {
    await llama?.dispose();
  });

  it("reports expert offload unsupported and falls back to layer offload", async (ctx) => {
    // a local `engine:build -- --gpu cpu` takes precedence over the prebuilt binary
    if (llama.buildType !== "prebuilt") ctx.skip();
    const support = expertOffloadSupport(llama);
    expect(support.supported).toBe(false);
    expect(support.message).toMatch(/^Expert offload is off: the prebuilt llama\.cpp engine cannot keep MoE experts in RAM/);
    expect(support.message).toContain("`npm run engine:build -- --gpu cpu`");

    const out = modelOptionsForPlan(llama, plan);
    expect(out.options).toEqual({ gpuLayers: layerOffloadFallback(plan) });
    expect(out.message).toBe(support.message);

    // the patched LlamaModel refuses rather than silently loading every expert on the GPU
    const modelPath = await ensureTestModel("chat");
    await expect(
      llama.loadModel({ modelPath, gpuLayers: 0, tensorBufferOverrides: [{ pattern: "ffn_up_exps", device: "CPU" }] }),
    ).rejects.toThrow(/tensorBufferOverrides is not supported by the loaded llama\.cpp binary/);
  }, 60_000);
});
