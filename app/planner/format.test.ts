import { describe, expect, it } from "vitest";
import { formatPlan } from "./format";
import { planLoad } from "./plan";
import { laptop4090, m2Request, ram192, ram64, rtx4090 } from "./test-rigs";

describe("formatPlan", () => {
  it("prints the explanation, group table, memory with margins, speed ceiling and llama.cpp flags", () => {
    const plan = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192));
    const text = formatPlan(plan);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^MiniMax-M2 Q4_K_M \(138\.3 GB, 62 layers\) · context 32,768 · KV f16 · flash attention on$/);
    expect(lines[1]).toBe(plan.explanation);
    expect(text).toMatch(/^ {2}experts +0-\d+ +CPU +\d+ +\d+\.\d$/m);
    expect(text).toMatch(/^ {2}input +- +CPU +1 +0\.\d$/m);
    expect(text).toMatch(/^ {2}GPU0 NVIDIA GeForce RTX 4090( +-?\d+\.\d){7}$/m);
    expect(text).toMatch(/^ {2}RAM( +-?\d+\.\d){7}$/m);
    expect(text).toContain(`llama.cpp: --n-gpu-layers 63 -c 32768 -fa on --n-cpu-moe ${plan.nCpuMoe}`);
    expect(text).toMatch(/Max context for this placement: [\d,]+/);
  });

  it("prints what would fit for a refusal", () => {
    const text = formatPlan(planLoad(m2Request("Q4_K_M", 32_768, [laptop4090], ram64)));
    expect(text).toContain("Not loadable");
    expect(text).toMatch(/Would fit:\n {2}- IQ1_S \(47 GB, ≤ \d+ tok\/s\)/);
    expect(text).not.toContain("llama.cpp:");
  });
});
