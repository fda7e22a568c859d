import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Llama } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { closeBackend, openBackend } from "./backend";
import { ModelSession } from "./model-session";
import { ensureTestModel } from "../../node/gguf/m2-test-models";

describe("ModelSession", () => {
  let modelPath: string;
  let llama: Llama;
  let scratch: string;

  beforeAll(async () => {
    modelPath = await ensureTestModel("chat");
    llama = await openBackend({ gpu: false });
    scratch = await mkdtemp(join(tmpdir(), "m2d-llama-test-"));
  });
  afterAll(async () => {
    await closeBackend(llama);
    await rm(scratch, { recursive: true, force: true });
  });

  /** What node-llama-cpp accounts as allocated by models and contexts of this Llama. */
  const allocated = async () => (await llama.getLlamaMemoryUsage()).cpuRam;

  it("loads with increasing progress up to 1 and reports the chosen context size", async () => {
    const progress: number[] = [];
    const session = await ModelSession.load(llama, { modelPath, contextSize: { max: 1024 }, onLoadProgress: (value) => progress.push(value) });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    for (let index = 1; index < progress.length; index++) expect(progress[index]).toBeGreaterThan(progress[index - 1] as number);
    expect(session.info).toMatchObject({ modelPath, architecture: "minimax-m2", contextSize: 1024, gpuLayers: 0 });
    expect(session.info.trainContextSize).toBeGreaterThanOrEqual(1024);
    await session.unload();
  });

  it("sizes the context automatically up to the trained length, or as told", async () => {
    const auto = await ModelSession.load(llama, { modelPath });
    expect(auto.contextSize).toBeGreaterThan(0);
    expect(auto.contextSize).toBeLessThanOrEqual(auto.info.trainContextSize);
    await auto.unload();

    const fixed = await ModelSession.load(llama, { modelPath, contextSize: 512, threads: 1, gpuLayers: 0 });
    expect(fixed.info).toMatchObject({ contextSize: 512, threads: 1, gpuLayers: 0 });
    await fixed.unload();
  });

  it("frees its memory on unload, and then refuses to generate", async () => {
    const before = await allocated();
    const session = await ModelSession.load(llama, { modelPath, contextSize: 512 });
    expect(await allocated()).toBeGreaterThan(before);
    await session.unload();
    expect(await allocated()).toBe(before);
    expect(session.isLoaded).toBe(false);
    await expect(session.generate("a")).rejects.toMatchObject({ code: "model_not_loaded" });
    expect(() => session.tokenize("a")).toThrow(AppError);
    await session.unload(); // idempotent
  });

  it("unload aborts a running generation", async () => {
    const session = await ModelSession.load(llama, { modelPath, contextSize: 4096, threads: 1 });
    let started!: () => void;
    const firstDelta = new Promise<void>((resolve) => (started = resolve));
    const running = session.generate("]~!b[]~b]user\nHi[e~[\n]~b]ai\n<think>\n", { onDelta: () => started() });
    await firstDelta;
    await session.unload();
    expect((await running).finishReason).toBe("abort");
  });

  it("throws aborted, having loaded nothing, when aborted before the load", async () => {
    const before = await allocated();
    const error = await ModelSession.load(llama, { modelPath, signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "aborted" });
    expect(await allocated()).toBe(before);
  });

  it("throws aborted and frees everything when aborted during the load", async () => {
    const before = await allocated();
    const controller = new AbortController();
    const progress: number[] = [];
    const error = await ModelSession.load(llama, {
      modelPath,
      signal: controller.signal,
      onLoadProgress: (value) => {
        progress.push(value);
        if (value > 0) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "aborted" });
    expect(progress).not.toContain(1);
    expect(await allocated()).toBe(before);
    // Nothing is left locked or reserved: the next load works.
    const session = await ModelSession.load(llama, { modelPath, contextSize: 512 });
    await session.unload();
    expect(await allocated()).toBe(before);
  });

  it("leaves no memory reserved, whenever during the load the abort comes", async () => {
    // node-llama-cpp leaks a reservation when the abort lands while it estimates the model's
    // memory (see reservation-leak.ts); sweep abort times across the whole load to hit that window.
    const reserved = () => (llama as unknown as { _ramOrchestrator: { _reservedMemory: number } })._ramOrchestrator._reservedMemory;
    expect(reserved()).toBe(0);
    for (let delayMs = 0; delayMs <= 30; delayMs += 0.5) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delayMs);
      const outcome = await ModelSession.load(llama, { modelPath, contextSize: 256, signal: controller.signal }).then(
        (session) => session.unload(),
        (error: unknown) => expect(error).toMatchObject({ code: "aborted" }),
      );
      void outcome;
      expect(reserved()).toBe(0);
    }
  }, 120_000);

  it("reports a missing file as not_found and a broken one as model_invalid", async () => {
    await expect(ModelSession.load(llama, { modelPath: join(scratch, "missing.gguf") })).rejects.toMatchObject({ code: "not_found" });

    // Truncated: the header is fine, the tensor data is not all there. (Garbage headers are
    // for node/gguf's validation to reject: node-llama-cpp's own reader can hang on them.)
    const truncated = join(scratch, "truncated.gguf");
    const bytes = await readFile(modelPath);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const before = await allocated();
    await expect(ModelSession.load(llama, { modelPath: truncated })).rejects.toMatchObject({
      code: "model_invalid",
      details: { reason: "load_refused", path: truncated },
    });
    expect(await allocated()).toBe(before);
  });
});
