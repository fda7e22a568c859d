import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeM2HeaderOnly } from "../../node/gguf/m2-header-only";
import { startEngineHarness } from "../../testing/engine-harness";
import { ensureOffloadTestModel } from "./offload-test-model";

// The real engine process on the CPU backend: plans from its own backend's memory, loads the plan, reports the split.

let harness: ReturnType<typeof startEngineHarness>;
let modelPath: string;
const dir = mkdtempSync(join(tmpdir(), "m2d-load-plan-engine-"));
// 243 GB: more than any test machine has free (the plan would fit a box with ~260 GB of RAM free).
const q8 = join(dir, "MiniMax-M2-Q8_0.gguf");

beforeAll(async () => {
  [{ path: modelPath }] = await Promise.all([ensureOffloadTestModel(), writeM2HeaderOnly(q8, "Q8_0")]);
  harness = startEngineHarness();
}, 300_000);

afterAll(async () => {
  await harness.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("load plans in the engine process (CPU backend)", () => {
  it("plans a model with the backend's real free RAM before anything is loaded", async () => {
    const plan = await harness.models.plan({ path: modelPath, gpu: "cpu", contextSize: 1024 });
    expect(plan).toMatchObject({ fits: true, mode: "cpu", gpuLayers: 0, context: 1024, backend: { backend: "cpu", devices: [] } });
    expect(plan.explanation).toMatch(/^CPU only \(0\/4 layers on GPU\)/);
    expect(plan.ram.available).toBe(plan.backend.ram.free);
    expect(plan.ram.weights).toBeGreaterThan(100 * 1024 ** 2);
  });

  it("describes its backend without a model (what catalog verdicts plan for before the first load)", async () => {
    expect(harness.models.current()).toBeNull();
    const probed = await harness.models.probeBackend();
    // "auto": the CPU here (a software Vulkan device is never picked), a GPU on a machine with one.
    expect(["cpu", "cuda", "vulkan", "metal"]).toContain(probed!.backend);
    if (probed!.backend === "cpu") expect(probed).toMatchObject({ devices: [], vram: { total: 0 } });
    expect(probed!.ram.total).toBeGreaterThan(probed!.ram.free);
    expect(harness.models.current()).toBeNull();
  });

  it("loads the plan and reports the applied split", async () => {
    const loaded = await harness.models.load(modelPath, { gpu: "cpu", contextSize: 1024, offload: { mode: "auto" } });
    expect(loaded.contextSize).toBe(1024);
    expect(loaded.offload).toMatchObject({ mode: "cpu", split: "CPU only", gpuLayers: 0, ramExpertLayers: 0, risky: false });
    expect(loaded.offload?.explanation).toMatch(/^CPU only/);
    expect(loaded.offload?.fallbackReason).toBeUndefined();
    const status = await harness.engine.request({ op: "status" });
    expect(status.loaded?.offload?.split).toBe("CPU only");
  }, 120_000);

  it("refuses a 243 GB M2 Q8_0 that does not fit this machine with the planner's message", async () => {
    const plan = await harness.models.plan({ path: q8, gpu: "cpu" });
    expect(plan.fits).toBe(false);
    expect(plan.refusal?.message).toMatch(/needs \d+ GiB of RAM/);
    await expect(harness.models.load(q8, { gpu: "cpu" })).rejects.toMatchObject({
      code: "bad_request",
      // the same refusal; the free RAM in it may have moved between the two calls
      message: expect.stringMatching(/^MiniMax-M2 Q8_0 \(header only\) Q8_0 at 32k context needs \d+ GiB of RAM; [\d.]+ GiB is free/),
      details: { reason: "plan_does_not_fit" },
    });
    // Refused even with the loaded model's memory counted free, so it was refused before unloading that model.
    expect(harness.models.current()?.report.path).toBe(modelPath);
    expect((await harness.engine.request({ op: "status" })).loaded?.report.path).toBe(modelPath);
  }, 120_000);

  it("a load refused for a malformed override pattern leaves the working model loaded, and the next valid load works", async () => {
    expect(harness.models.current()?.report.path).toBe(modelPath);
    await expect(
      harness.models.load(modelPath, { gpu: "cpu", contextSize: 1024, offload: { mode: "patterns", patterns: [{ pattern: "blk.(", device: "cpu" }] } }),
    ).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("not a valid regex") });
    expect(harness.models.current()?.report.path).toBe(modelPath);
    expect((await harness.engine.request({ op: "status" })).loaded?.report.path).toBe(modelPath);
    const reloaded = await harness.models.load(modelPath, { gpu: "cpu", contextSize: 512 });
    expect(reloaded.contextSize).toBe(512);
  }, 120_000);

  it("rejects a malformed override pattern with a typed error", async () => {
    await expect(
      harness.models.plan({ path: modelPath, gpu: "cpu", offload: { mode: "patterns", patterns: [{ pattern: "blk.(", device: "cpu" }] } }),
    ).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("not a valid regex") });
  });
});
