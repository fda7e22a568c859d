import { describe, expect, it } from "vitest";
import { AppError } from "../contract/errors";
import { attentionOverrides, compileOverrides, expertOverrides, matchesOverride, nCpuMoeOverrides } from "./overrides";
import { isExpertTensor, plannerTensor, tensorGroup, tensorLayer } from "./tensors";

describe("tensor names", () => {
  it("derives layer and expert-ness", () => {
    expect(tensorLayer("blk.17.ffn_up_exps.weight")).toBe(17);
    expect(tensorLayer("output.weight")).toBeNull();
    expect(isExpertTensor("blk.0.ffn_down_exps.weight")).toBe(true);
    expect(isExpertTensor("blk.0.ffn_gate_up_exps.weight")).toBe(true);
    expect(isExpertTensor("blk.0.ffn_down_shexp.weight")).toBe(false);
    expect(isExpertTensor("blk.0.exp_probs_b.bias")).toBe(false);
    expect(isExpertTensor("blk.0.ffn_gate_inp.weight")).toBe(false);
    expect(plannerTensor("blk.3.attn_q.weight", 10, "Q4_K")).toEqual({ name: "blk.3.attn_q.weight", bytes: 10, layer: 3, isExpert: false, ggmlType: "Q4_K" });
    expect(tensorGroup(plannerTensor("token_embd.weight", 1))).toBe("input");
    expect(tensorGroup(plannerTensor("blk.1.exp_probs_b.bias", 1))).toBe("router");
    expect(tensorGroup(plannerTensor("blk.1.ffn_norm.weight", 1))).toBe("attention");
  });
});

describe("generated overrides", () => {
  it("attention overrides name a block's attention and indexer projections, never its norms, shared expert, dense FFN or another block", () => {
    const [o] = attentionOverrides([4, 3]);
    expect(o?.pattern).toBe(String.raw`blk\.(3|4)\.(attn_(q|k|v|output)|indexer\.(q|k)_proj)\.weight`);
    const [m] = compileOverrides([`${o?.pattern}=CPU`]);
    const hit = (name: string) => matchesOverride(name, m ? [m] : []);
    for (const t of ["attn_q", "attn_k", "attn_v", "attn_output", "indexer.q_proj", "indexer.k_proj"]) expect(hit(`blk.3.${t}.weight`)).toBe(true);
    for (const t of ["attn_q_norm", "attn_norm", "indexer.q_norm", "ffn_up_shexp", "ffn_up", "ffn_up_exps", "ffn_gate_inp"]) expect(hit(`blk.4.${t}.weight`)).toBe(false);
    expect(hit("blk.34.attn_q.weight")).toBe(false);
    expect(attentionOverrides([])).toEqual([]);
  });

  const names = ["gate", "up", "down"].map((k) => `ffn_${k}_exps.weight`);

  it("match exactly the experts of the listed layers", () => {
    const [o] = nCpuMoeOverrides(2);
    expect(o?.device).toBe("CPU");
    const re = new RegExp(o?.pattern ?? "");
    for (const n of names) {
      expect(re.test(`blk.0.${n}`)).toBe(true);
      expect(re.test(`blk.1.${n}`)).toBe(true);
      expect(re.test(`blk.10.${n}`)).toBe(false);
      expect(re.test(`blk.21.${n}`)).toBe(false);
      expect(re.test(`blk.61.${n}`)).toBe(false);
    }
    expect(re.test("blk.0.attn_q.weight")).toBe(false);
    expect(re.test("blk.0.ffn_gate_inp.weight")).toBe(false);
  });

  it("are empty for no layers and deduplicate", () => {
    expect(expertOverrides([])).toEqual([]);
    expect(expertOverrides([3, 1, 3])[0]?.pattern).toBe(String.raw`blk\.(1|3)\.ffn_(up|down|gate|gate_up)_(ch|)exps`);
  });
});

describe("user patterns", () => {
  it("accept -ot syntax, comma lists and bare regexes", () => {
    const c = compileOverrides(["exps=CPU", String.raw`blk\.1\.attn_q=cpu,blk\.2\.attn_k=CPU`, String.raw`ffn_down_exps{1,1}`]);
    expect(c.map((o) => o.pattern)).toEqual(["exps", String.raw`blk\.1\.attn_q`, String.raw`blk\.2\.attn_k`, "ffn_down_exps{1,1}"]);
    expect(matchesOverride("blk.1.attn_q.weight", c)).toBe(true);
    expect(matchesOverride("blk.1.attn_k.weight", c)).toBe(false);
  });

  it("reject bad regexes and non-CPU targets with AppError", () => {
    expect(() => compileOverrides(["blk\\.(0=CPU"])).toThrow(AppError);
    expect(() => compileOverrides(["exps=CUDA0"])).toThrow(/only CPU/);
    expect(() => compileOverrides(["=CPU"])).toThrow(/empty pattern/);
  });
});
