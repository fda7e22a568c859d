import { describe, expect, it } from "vitest";
import { kvBytesPerToken } from "./buffers";
import { M3_REAL, m3Model, m3Quants, m3TensorTable, m3Tensors, M3_VOCAB } from "./m3-shapes";
import { planLoad } from "./plan";
import { totalBytes } from "./m2-shapes";
import type { GpuInfo, HostInfo, LoadPlan, PlanRequest } from "./types";
import { GiB } from "./units";

const rtx4090: GpuInfo = { name: "NVIDIA GeForce RTX 4090", freeVram: 23.5 * GiB };
const rtxPro6000: GpuInfo = { name: "NVIDIA RTX PRO 6000 Blackwell", freeVram: 94 * GiB };
const ram256 = { freeRam: 245 * GiB, totalRam: 251 * GiB, memoryKind: "ddr5-dual" } satisfies HostInfo;
const ram512 = { freeRam: 495 * GiB, totalRam: 503 * GiB, memoryKind: "ddr5-octa" } satisfies HostInfo;
const macUltra512: GpuInfo = { name: "Apple M3 Ultra", freeVram: 0.75 * 512 * GiB };
const mac512 = { freeRam: 490 * GiB, totalRam: 512 * GiB, unifiedMemory: true } satisfies HostInfo;

const n = (dims: readonly number[]) => dims.reduce((a, d) => a * d, 1);

describe("MiniMax-M3 tensor table", () => {
  const table = m3TensorTable(M3_REAL, M3_VOCAB);

  it("has 11 tensors in each of the 3 dense blocks and 20 in each of the 57 MoE blocks, plus 3 globals", () => {
    expect(table).toHaveLength(3 * 11 + 57 * 20 + 3);
    expect(new Set(table.map((t) => t.name)).size).toBe(table.length);
    expect(table.filter((t) => t.name.endsWith("ffn_gate_exps.weight")).map((t) => t.layer)).toEqual(Array.from({ length: 57 }, (_, i) => i + 3));
  });

  it("has ~428B parameters, ~23B active per token", () => {
    const all = table.reduce((a, t) => a + n(t.shape), 0);
    const routed = table.filter((t) => t.role.endsWith("_exps")).reduce((a, t) => a + n(t.shape), 0);
    const embd = M3_REAL.nEmbd * M3_VOCAB;
    const active = all - routed + (routed * M3_REAL.nExpertUsed) / M3_REAL.nExpert - embd; // token_embd is a lookup
    expect(all / 1e9).toBeGreaterThan(420);
    expect(all / 1e9).toBeLessThan(432);
    expect(active / 1e9).toBeGreaterThan(20);
    expect(active / 1e9).toBeLessThan(26);
  });

  it("uses llama.cpp's shapes: per-head QK norms, a dense FFN in block 0, shared expert and indexer in block 3", () => {
    const shape = (name: string) => table.find((t) => t.name === name)?.shape;
    expect(shape("blk.0.attn_q.weight")).toEqual([6144, 8192]);
    expect(shape("blk.0.attn_k.weight")).toEqual([6144, 512]);
    expect(shape("blk.0.attn_q_norm.weight")).toEqual([128]);
    expect(shape("blk.0.ffn_up.weight")).toEqual([6144, 12288]);
    expect(shape("blk.0.ffn_gate_inp.weight")).toBeUndefined();
    expect(shape("blk.3.ffn_up_exps.weight")).toEqual([6144, 3072, 128]);
    expect(shape("blk.3.ffn_down_shexp.weight")).toEqual([3072, 6144]);
    expect(shape("blk.3.indexer.q_proj.weight")).toEqual([6144, 512]);
    expect(shape("blk.3.indexer.k_proj.weight")).toEqual([6144, 128]);
    expect(shape("blk.3.ffn_up.weight")).toBeUndefined();
  });

  it("keeps the indexer projections, norms and router F32 and counts only routed experts as experts", () => {
    const tensors = m3Tensors("Q4_K_M");
    const byName = new Map(tensors.map((t) => [t.name, t]));
    expect(byName.get("blk.3.indexer.q_proj.weight")?.ggmlType).toBe("F32");
    expect(byName.get("blk.3.ffn_gate_inp.weight")?.ggmlType).toBe("F32");
    expect(byName.get("blk.3.ffn_up_shexp.weight")).toMatchObject({ ggmlType: "Q4_K", isExpert: false });
    expect(byName.get("blk.3.ffn_up_exps.weight")).toMatchObject({ ggmlType: "Q4_K", isExpert: true });
    expect(byName.get("blk.0.ffn_up.weight")).toMatchObject({ isExpert: false });
  });

  it("weighs ~156 GB at Q2_K, ~258 GB at Q4_K_M and ~454 GB at Q8_0", () => {
    const sizes = Object.fromEntries(m3Quants.map((q) => [q, Math.round(totalBytes(m3Tensors(q)) / 1e9)]));
    expect(sizes).toEqual({ Q2_K: 156, Q4_K_M: 258, Q8_0: 454 });
  });
});

describe("the MSA KV cache", () => {
  const model = m3Model("Q4_K_M");
  it("is the main cache of all 60 blocks plus one indexer head (K 128, V 128) in the 57 sparse blocks, per token", () => {
    const perToken = kvBytesPerToken(model, "f16", { kvLayers: 60, indexerKvLayers: 57 });
    expect(perToken).toBe(60 * 4 * (128 + 128) * 2 + 57 * (128 + 128) * 2);
  });
});

const request = (quant: "Q2_K" | "Q4_K_M" | "Q8_0", gpus: GpuInfo[], host: HostInfo, context: number): PlanRequest => ({ model: m3Model(quant), context, gpus, host });

const withinBudget = (p: LoadPlan): void => {
  for (const g of p.gpus) expect(g.total).toBeLessThanOrEqual(g.available - g.margin);
  expect(p.ram.total).toBeLessThanOrEqual(p.ram.available);
};

/** The tensors a plan keeps in RAM: every tensor of a CPU block, and those its overrides (-ot) match. */
function ramTensors(plan: LoadPlan, quant: "Q2_K" | "Q4_K_M" | "Q8_0"): string[] {
  const patterns = plan.overrides.map((o) => new RegExp(o.pattern));
  return m3Tensors(quant)
    .filter((t) => t.layer !== null && (plan.layerDevices[t.layer] === -1 || patterns.some((p) => p.test(t.name))))
    .map((t) => t.name);
}

const DENSE_OR_SHARED = /^blk\.(\d+)\.(ffn_(gate|up|down)(_shexp)?\.weight|indexer\.|attn_)/;

describe("M3 on an RTX 4090 (24 GB) + 256 GB RAM", () => {
  const plan = planLoad(request("Q4_K_M", [rtx4090], ram256, 32_768));

  it("Q4_K_M at 32k: every block's attention, dense FFN, shared expert and indexer on the GPU, routed experts of the first N MoE blocks in RAM", () => {
    expect(plan).toMatchObject({ fits: true, swaps: false, mode: "expert-offload", gpuLayers: 61, gpuBlocks: 60 });
    const n = plan.cpuExpertLayers.length;
    expect(n).toBeGreaterThan(50);
    // layer by layer from the first MoE block: the dense blocks 0-2 have no routed experts to move
    expect(plan.cpuExpertLayers).toEqual(Array.from({ length: n }, (_, i) => i + 3));
    expect(plan.nCpuMoe).toBe(n + 3);
    const inRam = ramTensors(plan, "Q4_K_M");
    expect(inRam.filter((name) => DENSE_OR_SHARED.test(name))).toEqual([]);
    expect(inRam).toHaveLength(3 * n);
    withinBudget(plan);
  });

  it("a pinned --n-cpu-moe N counts blocks as llama.cpp does: the dense blocks below N move nothing, and the plan keeps N", () => {
    for (const nCpuMoe of [2, 3, 4, 40]) {
      const pinned = planLoad({ ...request("Q4_K_M", [rtxPro6000], ram512, 32_768), override: { nCpuMoe } });
      expect(pinned).toMatchObject({ source: "n-cpu-moe", nCpuMoe: nCpuMoe <= 3 ? 0 : nCpuMoe });
      expect(pinned.cpuExpertLayers).toEqual(Array.from({ length: Math.max(0, nCpuMoe - 3) }, (_, i) => i + 3));
    }
    // the same placement as raw patterns is recognised as --n-cpu-moe 10
    const patterns = planLoad({ ...request("Q4_K_M", [rtxPro6000], ram512, 32_768), override: { patterns: [String.raw`blk\.([3-9])\.ffn_(up|down|gate)_exps=CPU`] } });
    expect(patterns).toMatchObject({ source: "patterns", nCpuMoe: 10, cpuExpertLayers: [3, 4, 5, 6, 7, 8, 9] });
  });

  it("puts the MSA KV cache on the GPU at its real size: 60 blocks × 4 KV heads × (K+V) 128 plus the 57 indexer heads, f16", () => {
    expect(plan.gpus[0]?.kvCache).toBe((60 * 4 * 256 * 2 + 57 * 256 * 2) * 32_768);
    expect(plan.ram.kvCache).toBe(0);
  });

  /** Dense blocks 0-2 and every shared expert on the GPU; in RAM only routed experts and, from block 3 on, MoE blocks' attention projections. */
  const keepsDenseAndShared = (p: LoadPlan, quant: "Q2_K" | "Q4_K_M" | "Q8_0"): number[] => {
    expect(p.layerDevices.slice(0, 3)).toEqual([0, 0, 0]);
    const inRam = ramTensors(p, quant);
    expect(inRam.filter((name) => /^blk\.[012]\./.test(name) || name.includes("_shexp") || /\.ffn_(gate|up|down)\.weight$/.test(name))).toEqual([]);
    const attention = inRam.filter((name) => DENSE_OR_SHARED.test(name));
    expect(attention.every((name) => /\.(attn_(q|k|v|output)|indexer\.(q|k)_proj)\.weight$/.test(name))).toBe(true);
    const blocks = [...new Set(attention.map((name) => Number(/^blk\.(\d+)\./.exec(name)?.[1])))];
    // layer by layer from the first MoE block, six projections each
    expect(blocks).toEqual(Array.from({ length: blocks.length }, (_, i) => i + 3));
    expect(attention).toHaveLength(6 * blocks.length);
    return blocks;
  };

  it("at 64k the GPU cannot hold all 60 blocks' attention and KV: the first MoE blocks' attention projections go to RAM, dense blocks and shared experts stay", () => {
    const long = planLoad(request("Q4_K_M", [rtx4090], ram256, 65_536));
    expect(long).toMatchObject({ fits: true, swaps: false, mode: "expert-offload", gpuLayers: 61, gpuBlocks: 60, nCpuMoe: null });
    expect(long.cpuExpertLayers).toEqual(Array.from({ length: 57 }, (_, i) => i + 3));
    const moved = keepsDenseAndShared(long, "Q4_K_M");
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThan(57);
    // every block's KV cache, MSA indexer cache included, stays with its block on the GPU
    expect(long.ram.kvCache).toBe(0);
    expect(long.explanation).toMatch(new RegExp(`^60/60 layers on GPU, experts of 57 layers in RAM, attention of ${moved.length} of them in RAM: `));
    expect(long.overrides.map((o) => o.pattern)).toContain(String.raw`blk\.(${moved.join("|")})\.(attn_(q|k|v|output)|indexer\.(q|k)_proj)\.weight`);
    withinBudget(long);
  });

  it("at 128k: Q4_K_M is refused for RAM; with a q8_0 KV cache (its suggestion) the dense blocks and shared experts stay on the GPU", () => {
    const f16 = planLoad(request("Q4_K_M", [rtx4090], ram256, 131_072));
    expect(f16.fits).toBe(false);
    expect(f16.refusal?.suggestions.map((s) => s.kind)).toContain("kv-type");
    const q8 = planLoad({ ...request("Q4_K_M", [rtx4090], ram256, 131_072), kvType: "q8_0" });
    expect(q8).toMatchObject({ fits: true, mode: "expert-offload", gpuBlocks: 60, nCpuMoe: null });
    expect(keepsDenseAndShared(q8, "Q4_K_M").length).toBeGreaterThan(0);
    expect(q8.ram.kvCache).toBe(0);
    withinBudget(q8);
  });

  it("at 128k with an f16 KV cache, Q2_K must offload whole leading blocks: 60 blocks' KV cache and the compute buffer alone exceed the GPU", () => {
    const q2 = planLoad(request("Q2_K", [rtx4090], ram256, 131_072));
    expect(q2).toMatchObject({ fits: true, mode: "layer-offload" });
    const gpu = q2.gpus[0]!;
    const kvAll = (60 * 4 * 256 * 2 + 57 * 256 * 2) * 131_072;
    expect(kvAll).toBeGreaterThan(gpu.available - gpu.margin - gpu.compute);
    // the shared experts of the blocks left on the GPU stay there
    const inRam = ramTensors(q2, "Q2_K");
    const gpuBlocks = q2.layerDevices.flatMap((d, l) => (d === 0 ? [l] : []));
    expect(inRam.filter((name) => name.includes("_shexp") && gpuBlocks.includes(Number(/^blk\.(\d+)\./.exec(name)?.[1])))).toEqual([]);
    withinBudget(q2);
  });

  it("Q2_K at 64k keeps every block on the GPU with experts in RAM", () => {
    const q2 = planLoad(request("Q2_K", [rtx4090], ram256, 65_536));
    expect(q2).toMatchObject({ fits: true, mode: "expert-offload", gpuBlocks: 60 });
    expect(ramTensors(q2, "Q2_K").filter((name) => DENSE_OR_SHARED.test(name))).toEqual([]);
    withinBudget(q2);
  });

  it("refuses Q8_0 (454 GB) with the RAM it would need", () => {
    const q8 = planLoad(request("Q8_0", [rtx4090], ram256, 32_768));
    expect(q8.fits).toBe(false);
    expect(q8.refusal?.message).toMatch(/^MiniMax-M3 Q8_0 at 32k context needs \d+ GiB of RAM/);
  });
});

describe("M3 on a 96 GB GPU + 512 GB RAM", () => {
  for (const quant of ["Q4_K_M", "Q8_0"] as const) {
    it(`${quant}: all blocks on the GPU, the GPU keeps the routed experts of the last MoE blocks, RAM the rest`, () => {
      const plan = planLoad(request(quant, [rtxPro6000], ram512, 65_536));
      expect(plan).toMatchObject({ fits: true, swaps: false, mode: "expert-offload", gpuBlocks: 60 });
      const n = plan.cpuExpertLayers.length;
      expect(n).toBeGreaterThan(20);
      expect(n).toBeLessThan(57);
      expect(plan.cpuExpertLayers).toEqual(Array.from({ length: n }, (_, i) => i + 3));
      expect(plan.groups).toContainEqual(expect.objectContaining({ group: "experts", device: 0, layers: `${n + 3}-59` }));
      expect(ramTensors(plan, quant).filter((name) => DENSE_OR_SHARED.test(name))).toEqual([]);
      withinBudget(plan);
    });
  }

  it("decodes faster with fewer experts in RAM", () => {
    const q4 = planLoad(request("Q4_K_M", [rtxPro6000], ram512, 65_536));
    const q8 = planLoad(request("Q8_0", [rtxPro6000], ram512, 65_536));
    expect(q4.cpuExpertLayers.length).toBeLessThan(q8.cpuExpertLayers.length);
    expect(q4.speed.tokPerSecEmpty).toBeGreaterThan(q8.speed.tokPerSecEmpty);
  });
});

describe("M3 on a 512 GB Mac (unified memory)", () => {
  it("Q4_K_M (258 GB) runs entirely on the GPU within the 384 GB working set", () => {
    const plan = planLoad(request("Q4_K_M", [macUltra512], mac512, 65_536));
    expect(plan).toMatchObject({ fits: true, unifiedMemory: true, mode: "gpu", gpuBlocks: 60, cpuExpertLayers: [], overrides: [] });
    withinBudget(plan);
  });

  it("Q8_0 (454 GB) is past the working set: the leading blocks run on the CPU from the same RAM, the rest on the GPU", () => {
    const plan = planLoad(request("Q8_0", [macUltra512], mac512, 65_536));
    expect(plan).toMatchObject({ fits: true, unifiedMemory: true, mode: "layer-offload" });
    expect(plan.gpuBlocks).toBeGreaterThan(40);
    expect(plan.layerDevices.slice(0, 60 - plan.gpuBlocks).every((d) => d === -1)).toBe(true);
    withinBudget(plan);
  });
});

describe("MSA decode reads", () => {
  it("a decoded token reads the indexer keys of the whole context but the main K/V of only 16 × 128 tokens in the sparse blocks", () => {
    const plan = planLoad(request("Q4_K_M", [macUltra512], mac512, 65_536));
    const ctx = 65_536;
    const main = 4 * 256 * 2;
    expect(plan.speed.kvReadBytesAtContext).toBe(3 * main * ctx + 57 * (main * 2048 + 128 * 2 * ctx));
    const dense = planLoad({ ...request("Q4_K_M", [macUltra512], mac512, 65_536), flashAttention: false });
    expect(dense.speed.kvReadBytesAtContext).toBe(60 * main * ctx);
  });
});
