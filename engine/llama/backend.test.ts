import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getLlamaGpuTypes } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { ENGINE_PROCESS_ENV, closeBackend, describeBackend, openBackend } from "./backend";

// getLlama waits on node-llama-cpp's build lock while a local llama.cpp build runs in this checkout.
const localBuilds = fileURLToPath(new URL("../../node_modules/node-llama-cpp/llama/localBuilds", import.meta.url));
const localBuildRunning = existsSync(localBuilds) && readdirSync(localBuilds).some((name) => name.endsWith(".lock"));

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

  it.skipIf(localBuildRunning)("on auto, uses a GPU backend only if it has a device, else the CPU", async () => {
    const llama = await openBackend();
    try {
      const info = await describeBackend(llama);
      if (info.backend === "cpu") expect(info.devices).toEqual([]);
      else expect(info.devices.length).toBeGreaterThan(0);
    } finally {
      await closeBackend(llama);
    }
  }, 60_000);

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
