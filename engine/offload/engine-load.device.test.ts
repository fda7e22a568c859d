/**
 * The engine process applies a load plan's expert overrides on a real Vulkan device (`npm run test:offload`;
 * needs `npm run engine:build -- --gpu vulkan`; Mesa's llvmpipe will do). Skipped in `npm test` like
 * offload.device.test.ts: CI has neither the device nor the patched build.
 */
import type { OffloadChoice } from "../../app/contract/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { startEngineHarness as StartEngineHarness } from "../../testing/engine-harness";
import { ensureOffloadTestModel, type OffloadTestModel } from "./offload-test-model";

// M3's template adds its default system prompt: ~830 tokens with the byte-level test vocab
const M3_CONTEXT = 2048;
const enabled = process.env.npm_lifecycle_event === "test:offload" || process.env.M2D_OFFLOAD_DEVICE_TEST === "1";

describe.skipIf(!enabled)("engine load with expert offload on a Vulkan device", () => {
  let harness: ReturnType<typeof StartEngineHarness>;
  let model: OffloadTestModel;
  let m3: OffloadTestModel;

  beforeAll(async () => {
    // llvmpipe is a CPU-type Vulkan device, which ggml skips unless it is named; the engine inherits the env
    process.env.GGML_VK_VISIBLE_DEVICES ??= "0";
    const { startEngineHarness } = await import("../../testing/engine-harness");
    [model, m3] = await Promise.all([ensureOffloadTestModel(), ensureOffloadTestModel("minimax-m3")]);
    harness = startEngineHarness();
  }, 300_000);

  afterAll(async () => {
    await harness?.stop();
  });

  it("plans on the device's free VRAM and loads experts of the first N layers in RAM", async () => {
    const plan = await harness.models.plan({ path: model.path, gpu: "vulkan", contextSize: 256, offload: { mode: "cpu-moe", layers: 2 } });
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", nCpuMoe: 2, expertOffload: { supported: true } });
    expect(plan.backend.backend).toBe("vulkan");
    expect(plan.backend.vram.free).toBeGreaterThan(0);

    const loaded = await harness.models.load(model.path, { gpu: "vulkan", contextSize: 256, offload: { mode: "cpu-moe", layers: 2 } });
    expect(loaded.offload).toMatchObject({ mode: "expert-offload", split: "GPU 4/4 · experts of 2 layers in RAM", ramExpertLayers: 2 });
    expect(loaded.offload?.fallbackReason).toBeUndefined();

    // The split model runs: experts of layers 0-1 on the CPU, the rest on the device.
    const events = await harness.generate("split-run", { messages: [{ role: "user", content: "Explain expert offload." }], sampling: { maxTokens: 8 } });
    expect(events.at(-1), JSON.stringify(events.slice(-2))).toMatchObject({ type: "done", finish_reason: "length" });
  }, 300_000);

  it("minimax-m3: --n-cpu-moe counts blocks, so the dense block 0 moves nothing and MoE block 1's routed experts go to RAM", async () => {
    const offload = { mode: "cpu-moe", layers: 2 } as const;
    const plan = await harness.models.plan({ path: m3.path, gpu: "vulkan", contextSize: M3_CONTEXT, offload });
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", nCpuMoe: 2, expertOffload: { supported: true } });

    const loaded = await harness.models.load(m3.path, { gpu: "vulkan", contextSize: M3_CONTEXT, offload });
    expect(loaded.report.architecture).toBe("minimax-m3");
    expect(loaded.offload).toMatchObject({ mode: "expert-offload", ramExpertLayers: 1 });
    expect(loaded.offload?.fallbackReason).toBeUndefined();

    const events = await harness.generate("m3-split-run", { messages: [{ role: "user", content: "Explain expert offload." }], sampling: { maxTokens: 8 } });
    expect(events.at(-1), JSON.stringify(events.slice(-2))).toMatchObject({ type: "done", finish_reason: "length" });
  }, 300_000);

  it("minimax-m3: the routed experts of every MoE block in RAM by pattern, the shared experts still on the device", async () => {
    const offload: OffloadChoice = { mode: "patterns", patterns: [{ pattern: String.raw`ffn_(up|down|gate)_exps`, device: "cpu" }] };
    const loaded = await harness.models.load(m3.path, { gpu: "vulkan", contextSize: M3_CONTEXT, offload });
    expect(loaded.offload).toMatchObject({ mode: "expert-offload", ramExpertLayers: m3.moeLayers.length });
    const events = await harness.generate("m3-all-experts-in-ram", { messages: [{ role: "user", content: "Explain expert offload." }], sampling: { maxTokens: 8 } });
    expect(events.at(-1), JSON.stringify(events.slice(-2))).toMatchObject({ type: "done", finish_reason: "length" });
  }, 300_000);
});
