import { describe, expect, it } from "vitest";
import { M2, m2NominalGB, m2Quants, m2TensorShapes, m2Tensors, totalBytes } from "./m2-shapes";
import { GB } from "./units";

describe("MiniMax-M2 tensor table", () => {
  it("has 13 tensors per block plus token_embd, output_norm and output", () => {
    const shapes = m2TensorShapes("Q4_K_M");
    expect(shapes).toHaveLength(62 * 13 + 3);
    expect(new Set(shapes.map((s) => s.name)).size).toBe(shapes.length);
  });

  it("has ~230B parameters, ~97% of them in routed experts", () => {
    const shapes = m2TensorShapes("Q8_0");
    const n = (s: { dims: readonly number[] }) => s.dims.reduce((a, d) => a * d, 1);
    const all = shapes.reduce((a, s) => a + n(s), 0);
    const experts = shapes.filter((s) => s.name.endsWith("_exps.weight")).reduce((a, s) => a + n(s), 0);
    expect(all / 1e9).toBeGreaterThan(225);
    expect(all / 1e9).toBeLessThan(232);
    expect(experts / all).toBeGreaterThan(0.97);
  });

  it("uses llama.cpp's shapes for block 0", () => {
    const b0 = new Map(m2TensorShapes("Q4_K_M").filter((s) => s.name.startsWith("blk.0.")).map((s) => [s.name, s.dims]));
    expect(b0.get("blk.0.attn_q.weight")).toEqual([3072, 6144]);
    expect(b0.get("blk.0.attn_k.weight")).toEqual([3072, 1024]);
    expect(b0.get("blk.0.attn_v.weight")).toEqual([3072, 1024]);
    expect(b0.get("blk.0.attn_output.weight")).toEqual([6144, 3072]);
    expect(b0.get("blk.0.attn_q_norm.weight")).toEqual([6144]);
    expect(b0.get("blk.0.attn_k_norm.weight")).toEqual([1024]);
    expect(b0.get("blk.0.ffn_gate_inp.weight")).toEqual([3072, 256]);
    expect(b0.get("blk.0.exp_probs_b.bias")).toEqual([256]);
    expect(b0.get("blk.0.ffn_gate_exps.weight")).toEqual([3072, 1536, 256]);
    expect(b0.get("blk.0.ffn_up_exps.weight")).toEqual([3072, 1536, 256]);
    expect(b0.get("blk.0.ffn_down_exps.weight")).toEqual([1536, 3072, 256]);
    expect(M2.vocab).toBe(200_064);
  });

  it.each(m2Quants)("%s lands within 3 percent of its published size", (q) => {
    const gb = totalBytes(m2Tensors(q)) / GB;
    expect(Math.abs(gb / m2NominalGB[q] - 1)).toBeLessThan(0.03);
  });

  it("derives layer and isExpert from names", () => {
    const t = m2Tensors("Q2_K");
    expect(t.find((x) => x.name === "blk.61.ffn_down_exps.weight")).toMatchObject({ layer: 61, isExpert: true, ggmlType: "Q3_K" });
    expect(t.find((x) => x.name === "blk.7.ffn_gate_inp.weight")).toMatchObject({ layer: 7, isExpert: false });
    expect(t.find((x) => x.name === "output.weight")).toMatchObject({ layer: null, isExpert: false, ggmlType: "Q6_K" });
  });
});
