import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeM2HeaderOnly, M2_HEADER_QUANTS, M2_VOCAB_SIZE, type M2HeaderQuant } from "./m2-header-only";
import { ensureSplitTestModel, ensureTestModel, readChatTemplate } from "./m2-test-models";
import { inspectModel } from "./report";
import type { GgufLayout } from "./writer";

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "gguf-report-")); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe("inspectModel", { timeout: 120_000 }, () => {
  it("describes a scripted test model", async () => {
    const path = await ensureTestModel("agent");
    const r = await inspectModel(path);
    expect(r).toMatchObject({
      path,
      architecture: "minimax-m2",
      isTarget: true,
      quantization: { name: "F32", fileType: 0, guessed: false },
      layerCount: 2,
      expertCount: 4,
      expertUsedCount: 2,
      headCount: 2,
      headCountKv: 1,
      contextLength: 8192,
      hasChatTemplate: true,
    });
    expect(r.chatTemplate).toBe(await readChatTemplate());
    expect(r.fileSizeTotal).toBe((await stat(path)).size);
    expect(r.parts).toEqual([{ path, fileSize: r.fileSizeTotal, tensorCount: 3 + 2 * 13 }]);
    expect(r.parameterCount).toBe(r.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0));
    const experts = r.tensors.filter((t) => t.isExpert).map((t) => t.name);
    expect(experts).toEqual(
      [0, 1].flatMap((l) => [`blk.${l}.ffn_gate_exps.weight`, `blk.${l}.ffn_up_exps.weight`, `blk.${l}.ffn_down_exps.weight`]),
    );
    expect(r.tensors.find((t) => t.name === "blk.1.attn_q.weight")).toMatchObject({ layer: 1, type: "F32", part: 0 });
    expect(r.tensors.find((t) => t.name === "token_embd.weight")).toMatchObject({ layer: null, type: "F16", isExpert: false });
  });

  it("lists every part of a split model", async () => {
    const parts = await ensureSplitTestModel("chat", 3);
    const r = await inspectModel(parts[0] ?? "");
    expect(r.parts.map((p) => p.path)).toEqual(parts);
    const sizes = await Promise.all(parts.map(async (p) => (await stat(p)).size));
    expect(r.fileSizeTotal).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(new Set(r.tensors.map((t) => t.part))).toEqual(new Set([0, 1, 2]));
  });
});

describe("writeM2HeaderOnly", { timeout: 60_000 }, () => {
  const quants = Object.keys(M2_HEADER_QUANTS) as M2HeaderQuant[];
  const layouts = new Map<M2HeaderQuant, GgufLayout>();
  const pathOf = (quant: M2HeaderQuant) => join(dir, `m2-${quant}.gguf`);
  beforeAll(async () => {
    for (const quant of quants) layouts.set(quant, await writeM2HeaderOnly(pathOf(quant), quant));
  }, 120_000);

  const expected: Record<M2HeaderQuant, [number, number]> = {
    // [min, max] GB of tensor data, from llama-quantize's type mix for M2
    IQ1_S: [45, 52],
    Q2_K: [80, 90],
    Q4_K_M: [135, 141],
    Q8_0: [240, 246],
  };

  for (const quant of quants) {
    it(`${quant}: real tensor table, full apparent size, almost no disk`, async () => {
      const path = pathOf(quant);
      const st = await stat(path);
      const r = await inspectModel(path);
      expect(st.size).toBe(layouts.get(quant)?.fileSize);
      expect(st.blocks * 512).toBeLessThan(16 << 20);
      expect(r).toMatchObject({
        architecture: "minimax-m2",
        quantization: { name: quant, guessed: false },
        layerCount: 62,
        embeddingLength: 3072,
        headCount: 48,
        headCountKv: 8,
        expertCount: 256,
        expertUsedCount: 8,
        contextLength: 196608,
        vocabSize: M2_VOCAB_SIZE,
        fileSizeTotal: st.size,
        hasChatTemplate: true,
      });
      expect(r.tensors).toHaveLength(3 + 62 * 13);
      expect(r.tensors.filter((t) => t.isExpert)).toHaveLength(62 * 3);
      // ~229B parameters: 62 × 3 × 256 experts of 3072×1536 dominate
      expect(r.parameterCount).toBeGreaterThan(228e9);
      expect(r.parameterCount).toBeLessThan(231e9);
      const [min, max] = expected[quant];
      expect(r.tensorBytes / 1e9).toBeGreaterThan(min);
      expect(r.tensorBytes / 1e9).toBeLessThan(max);
      expect(r.fileSizeTotal - r.tensorBytes).toBeLessThan(16 << 20);
    });
  }

  it("Q4_K_M keeps M2's mixed per-tensor types", async () => {
    const r = await inspectModel(pathOf("Q4_K_M"));
    const type = (name: string) => r.tensors.find((t) => t.name === name)?.type;
    expect(type("output.weight")).toBe("Q6_K");
    expect(type("token_embd.weight")).toBe("Q4_K");
    expect(type("blk.0.ffn_down_exps.weight")).toBe("Q6_K");
    expect(type("blk.8.ffn_down_exps.weight")).toBe("Q4_K");
    expect(type("blk.9.ffn_down_exps.weight")).toBe("Q6_K");
    expect(type("blk.30.ffn_gate_exps.weight")).toBe("Q4_K");
    expect(type("blk.30.ffn_gate_inp.weight")).toBe("F32");
    expect(type("blk.30.exp_probs_b.bias")).toBe("F32");
    const down = r.tensors.find((t) => t.name === "blk.8.ffn_down_exps.weight");
    expect(down?.shape).toEqual([1536, 3072, 256]);
    expect(down?.byteSize).toBe((1536 * 3072 * 256 * 144) / 256);
  });
});
