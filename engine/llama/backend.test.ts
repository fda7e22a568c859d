import { describe, expect, it } from "vitest";
import { getLlamaGpuTypes } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { ENGINE_PROCESS_ENV, closeBackend, describeBackend, openBackend } from "./backend";

describe("backend", () => {
  it("opens the CPU backend and describes the machine", async () => {
    const llama = await openBackend({ gpu: false });
    try {
      const info = await describeBackend(llama);
      expect(info.backend).toBe("cpu");
      expect(info.devices).toEqual([]);
      expect(info.ram.total).toBeGreaterThan(0);
      expect(info.ram.free).toBeGreaterThan(0);
      expect(info.ram.free).toBeLessThanOrEqual(info.ram.total);
      expect(info.vram).toEqual({ total: expect.any(Number), used: expect.any(Number), free: expect.any(Number) });
      expect(info.cpuThreads).toBeGreaterThan(0);
      // CPU threads are capped at the math cores (node-llama-cpp would allow at least 4).
      expect(llama.maxThreads).toBe(llama.cpuMathCores);
    } finally {
      await closeBackend(llama);
    }
  });

  it.skipIf(process.platform === "darwin")("throws a typed error for an explicit backend that cannot work", async () => {
    const error = await openBackend({ gpu: "metal" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "internal", details: { reason: "backend_unavailable", gpu: "metal" } });
  });

  it("throws a typed error for a named GPU backend this machine lacks", async () => {
    const supported = await getLlamaGpuTypes("supported");
    const missing = (["cuda", "vulkan"] as const).find((gpu) => !supported.includes(gpu));
    if (missing === undefined) return; // every GPU backend is usable here
    await expect(openBackend({ gpu: missing })).rejects.toMatchObject({
      code: "internal",
      details: { reason: "backend_unavailable", gpu: missing },
    });
  }, 60_000);

  it("tells the spawner to run the engine with a one-thread libuv pool", () => {
    expect(ENGINE_PROCESS_ENV).toEqual({ UV_THREADPOOL_SIZE: "1" });
  });
});
