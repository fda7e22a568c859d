import { describe, expect, it } from "vitest";
import { AppError } from "../contract/errors";
import { compileOverrides, expertOverrides, matchesOverride, nCpuMoeOverrides } from "./overrides";
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
