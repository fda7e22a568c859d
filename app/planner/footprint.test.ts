import { describe, expect, it } from "vitest";
import { layerStats, statsFootprint, tensorFootprint } from "./footprint";
import { m2Model } from "./m2-shapes";
import { m3Model } from "./m3-shapes";
import { isAttentionProjection } from "./tensors";
import { layerLayout, tensorSplit } from "./split";

describe("footprints", () => {
  const model = m2Model("Q4_K_M");
  const stats = layerStats(model);

  it("the O(layers) search footprint equals the per-tensor one", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 40; i++) {
      const gpus = 1 + Math.floor(rnd() * 3);
      const layout = layerLayout(62, Math.floor(rnd() * 64), tensorSplit(Array.from({ length: gpus }, () => 1 + rnd() * 20)));
      const cpuExperts = layout.blocks.map(() => rnd() < 0.5);
      const a = statsFootprint(model, stats, layout, cpuExperts, gpus, false);
      const b = tensorFootprint(model, layout, (t) => t.isExpert && t.layer !== null && cpuExperts[t.layer] === true, gpus, false);
      expect(a.cpuExpertLayers).toEqual(b.cpuExpertLayers);
      expect(a.staging).toBeCloseTo(b.staging, 0);
      expect(a.cpu.weights).toBeCloseTo(b.cpu.weights, 0);
      expect(a.cpu.read).toBeCloseTo(b.cpu.read, 0);
      a.gpus.forEach((g, d) => {
        expect(g).toEqual({ ...b.gpus[d], weights: g.weights, read: g.read });
        expect(g.weights).toBeCloseTo(b.gpus[d]?.weights ?? -1, 0);
        expect(g.read).toBeCloseTo(b.gpus[d]?.read ?? -1, 0);
      });
    }
  });

  it("with attention projections of GPU blocks in RAM (M3), the O(layers) footprint still equals the per-tensor one", () => {
    const m3 = m3Model("Q4_K_M");
    const m3Stats = layerStats(m3);
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20; i++) {
      const gpus = 1 + Math.floor(rnd() * 2);
      const layout = layerLayout(60, 40 + Math.floor(rnd() * 22), tensorSplit(Array.from({ length: gpus }, () => 1 + rnd() * 20)));
      const cpuExperts = layout.blocks.map(() => rnd() < 0.7);
      const cpuAttention = layout.blocks.map(() => rnd() < 0.3);
      const a = statsFootprint(m3, m3Stats, layout, cpuExperts, gpus, false, cpuAttention);
      const onCpu = (t: { name: string; isExpert: boolean; layer: number | null }) =>
        t.layer !== null && (t.isExpert ? cpuExperts[t.layer] === true : cpuAttention[t.layer] === true && isAttentionProjection(t.name));
      const b = tensorFootprint(m3, layout, onCpu, gpus, false);
      expect(a.staging).toBeCloseTo(b.staging, 0);
      expect(a.cpu.weights).toBeCloseTo(b.cpu.weights, 0);
      expect(a.cpu.read).toBeCloseTo(b.cpu.read, 0);
      a.gpus.forEach((g, d) => {
        expect(g.weights).toBeCloseTo(b.gpus[d]?.weights ?? -1, 0);
        expect(g.read).toBeCloseTo(b.gpus[d]?.read ?? -1, 0);
      });
    }
    // six projections per MoE block (attn q/k/v/output, indexer q/k), four in a dense block
    expect(m3.tensors.filter((t) => t.layer === 3 && isAttentionProjection(t.name))).toHaveLength(6);
    expect(m3.tensors.filter((t) => t.layer === 0 && isAttentionProjection(t.name))).toHaveLength(4);
  });

  it("reads all dense bytes but only 8/256 of expert bytes per token", () => {
    const all = tensorFootprint(model, layerLayout(62, 63, [1]), () => false, 1, false);
    const dense = stats.dense.reduce((a, b) => a + b, 0) + stats.output;
    const experts = stats.experts.reduce((a, b) => a + b, 0);
    expect(all.gpus[0]?.read).toBeCloseTo(dense + experts / 32, 0);
    expect(all.cpu.weights).toBe(stats.input);
    expect(all.staging).toBe(0);
  });
});
