/**
 * Expert offload on a real Vulkan device (`npm run test:offload`; needs `npm run engine:build -- --gpu vulkan`).
 *
 * Loads a random-weight minimax-m2 and a minimax-m3 model three ways each (all on the device, routed
 * experts in RAM, CPU only) and checks that moving the experts cuts the device's model memory by the
 * expert bytes, that only the routed experts move (M3's shared experts, dense block and sparse-attention
 * indexer stay on the device), and that greedy output is token-identical across the three. Skipped in `npm test`: it needs a Vulkan
 * device (Mesa's llvmpipe will do: GGML_VK_VISIBLE_DEVICES=0) and the patched engine build.
 */
import { getLlama, LlamaLogLevel, type Llama, type LlamaModelOptions, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expertOffloadSupport } from "./capability";
import { ensureOffloadTestModel, EXPERT_TENSOR_PATTERN, type OffloadFamily, type OffloadTestModel } from "./offload-test-model";

const enabled = process.env.npm_lifecycle_event === "test:offload" || process.env.M2D_OFFLOAD_DEVICE_TEST === "1";
const TOKENS = 32;
/** Each family's generation prompt (M2 pre-fills `<think>`; M3's default mode ends at the role line). */
const PROMPTS: Readonly<Record<OffloadFamily, string>> = {
  "minimax-m2": "]~!b[]~b]user\nExplain expert offload.[e~[\n]~b]ai\n<think>\n",
  "minimax-m3": "]~!b[]~b]user\nExplain expert offload.[e~[\n]~b]ai\n",
};
const MiB = 1024 * 1024;

interface LoadRun {
  readonly name: string;
  /** llama.cpp's "<buffer> model buffer size = X MiB" lines, in bytes per buffer type. */
  readonly modelBuffers: Readonly<Record<string, number>>;
  readonly deviceModelBytes: number;
  /** node-llama-cpp's view of device memory: getVramState().used after load minus before. */
  readonly vramUsedDelta: number;
  /** Tensors llama.cpp reports as "buffer type overridden to" the CPU's buffer. */
  readonly overriddenToCpu: readonly string[];
  readonly tokens: readonly Token[];
}

describe.skipIf(!enabled)("expert offload on a Vulkan device", () => {
  // one Llama for both families: llama.cpp's log callback is process-wide, a second getLlama() after dispose() gets no lines
  const logs: string[] = [];
  let llama: Llama;

  beforeAll(async () => {
    // llvmpipe is a CPU-type Vulkan device, which ggml skips unless it is named
    process.env.GGML_VK_VISIBLE_DEVICES ??= "0";
    llama = await getLlama({
      gpu: "vulkan",
      build: "never",
      progressLogs: false,
      // debug: llama.cpp reports each overridden tensor at debug level
      logLevel: LlamaLogLevel.debug,
      logger: (_level, message) => { logs.push(message); },
    });
    const support = expertOffloadSupport(llama);
    if (!support.supported) throw new Error(`${support.message} (this test needs the patched Vulkan engine)`);
  }, 600_000);

  afterAll(async () => {
    await llama?.dispose();
  });

  /** llama.cpp's log lines reach JS through a thread-safe queue, which may run after loadModel() resolves. */
  async function logLinesSince(from: number, last: RegExp): Promise<string> {
    for (let waited = 0; waited < 5_000 && !logs.slice(from).some((l) => last.test(l)); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return logs.slice(from).join("\n");
  }

  describe.each(["minimax-m2", "minimax-m3"] as const)("%s", (family) => {
    let model: OffloadTestModel;

    beforeAll(async () => {
      model = await ensureOffloadTestModel(family);
    }, 600_000);

    async function loadAndGenerate(name: string, options: Partial<LlamaModelOptions>): Promise<LoadRun> {
      const from = logs.length;
      const before = await llama.getVramState();
      const loaded = await llama.loadModel({ modelPath: model.path, ignoreMemorySafetyChecks: true, ...options });
      const after = await llama.getVramState();
      // Mesa 22's llvmpipe crashes (SIGSEGV in libvulkan_lvp) running the flash-attention shader; all three loads skip it alike
      const context = await loaded.createContext({ contextSize: 256, flashAttention: false, ignoreMemorySafetyChecks: true });
      try {
        const tokens: Token[] = [];
        const sequence = context.getSequence();
        for await (const token of sequence.evaluate(loaded.tokenize(PROMPTS[family], true), { temperature: 0, seed: 1 })) {
          tokens.push(token);
          if (tokens.length === TOKENS) break;
        }
        const lines = await logLinesSince(from, /model buffer size/);
        const modelBuffers: Record<string, number> = {};
        for (const m of lines.matchAll(/(\S+) model buffer size =\s*([\d.]+) MiB/g)) {
          const [, buffer = "", size = "0"] = m;
          modelBuffers[buffer] = (modelBuffers[buffer] ?? 0) + Number(size) * MiB;
        }
        // "CPU" picks the CPU's preferred buffer: plain or repacked CPU memory, or the GPU backend's pinned host buffer (Vulkan_Host)
        const overriddenToCpu = [...lines.matchAll(/tensor (\S+) \([^)]*\) buffer type overridden to (CPU\w*|\w+_Host)\b/g)].map((m) => m[1] ?? "");
        const deviceModelBytes = Object.entries(modelBuffers)
          // Vulkan0, Vulkan1…; not Vulkan_Host, which is pinned RAM
          .filter(([buffer]) => /^Vulkan\d+$/.test(buffer))
          .reduce((sum, [, bytes]) => sum + bytes, 0);
        return { name, modelBuffers, deviceModelBytes, vramUsedDelta: after.used - before.used, overriddenToCpu, tokens };
      } finally {
        await context.dispose();
        await loaded.dispose();
      }
    }

    it("cuts device memory by the expert bytes and keeps greedy output token-identical", async () => {
      const device = await loadAndGenerate("all on the device", { gpuLayers: "max" });
      const offload = await loadAndGenerate("experts in RAM", {
        gpuLayers: "max",
        tensorBufferOverrides: [{ pattern: EXPERT_TENSOR_PATTERN, device: "CPU" }],
      });
      const cpu = await loadAndGenerate("CPU only", { gpuLayers: 0 });

      const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
      const cut = device.deviceModelBytes - offload.deviceModelBytes;
      console.log(
        [
          `${family} on ${(await llama.getGpuDeviceNames()).join(", ")}: model tensors ${mib(model.totalTensorBytes)}, routed experts ${mib(model.expertBytes)}, shared experts ${mib(model.sharedExpertBytes)}`,
          ...[device, offload, cpu].map((r) =>
            `${r.name.padEnd(18)} device model buffers ${mib(r.deviceModelBytes).padStart(10)}; getVramState().used delta ${mib(r.vramUsedDelta).padStart(10)}; ` +
            `overridden to CPU: ${r.overriddenToCpu.length}; buffers ${JSON.stringify(Object.fromEntries(Object.entries(r.modelBuffers).map(([k, v]) => [k, mib(v)])))}`),
          `expert offload cut device model memory by ${mib(cut)} = ${((cut / model.expertBytes) * 100).toFixed(1)}% of the expert bytes`,
          `greedy tokens (${TOKENS}): ${device.tokens.join(" ")}`,
          `identical: device=offload ${String(device.tokens.join() === offload.tokens.join())}, device=cpu ${String(device.tokens.join() === cpu.tokens.join())}`,
        ].join("\n"),
      );

      expect(device.deviceModelBytes).toBeGreaterThan(model.expertBytes);
      // exactly the routed experts of every MoE block: never a shared expert, the dense block or the indexer
      const routed = model.moeLayers.flatMap((l) => ["gate", "up", "down"].map((p) => `blk.${l}.ffn_${p}_exps.weight`));
      expect([...offload.overriddenToCpu].sort()).toEqual(routed.sort());
      expect(cut).toBeGreaterThanOrEqual(model.expertBytes * 0.9);
      expect(cut).toBeLessThanOrEqual(model.expertBytes * 1.1);
      expect(cpu.deviceModelBytes).toBe(0);
      // both device loads reported buffers for the whole model, so the cut is not read off missing log lines
      // (a CPU_Mapped buffer is the file span its tensors cover, so with overrides it can exceed their bytes).
      // The CPU-only load is the token reference; its buffer line was seen missing from the logger in 2 of 8 runs.
      for (const run of [device, offload]) {
        const reported = Object.values(run.modelBuffers).reduce((a, b) => a + b, 0);
        expect(reported, `${run.name}: model buffer sizes llama.cpp logged`).toBeGreaterThanOrEqual(0.99 * model.totalTensorBytes);
      }
      // a driver with VK_EXT_memory_budget shows the same cut in node-llama-cpp's VRAM state; llvmpipe reports no usage at all
      if (device.vramUsedDelta > 0) {
        const vramCut = device.vramUsedDelta - offload.vramUsedDelta;
        expect(vramCut).toBeGreaterThanOrEqual(model.expertBytes * 0.9);
        expect(vramCut).toBeLessThanOrEqual(model.expertBytes * 1.1);
      }

      expect(device.tokens).toHaveLength(TOKENS);
      expect(offload.tokens).toEqual(device.tokens);
      expect(cpu.tokens).toEqual(device.tokens);
    }, 900_000);

    it("rejects an unknown override device with a JS error and leaves the engine usable", async () => {
      await expect(
        llama.loadModel({ modelPath: model.path, gpuLayers: 0, tensorBufferOverrides: [{ pattern: "ffn_up_exps", device: "NoSuchGpu7" }] }),
      ).rejects.toThrow(/Unknown tensor buffer override device "NoSuchGpu7" \(available: CPU, .*Vulkan0/);
      await expect(
        llama.loadModel({ modelPath: model.path, gpuLayers: 0, tensorBufferOverrides: [{ pattern: "ffn_(up", device: "CPU" }] }),
      ).rejects.toThrow(/Invalid tensor buffer override pattern "ffn_\(up"/);
    }, 120_000);
  });
});
