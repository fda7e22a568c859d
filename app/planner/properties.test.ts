import { describe, expect, it } from "vitest";
import { m2Model, type M2Quant } from "./m2-shapes";
import { planLoad } from "./plan";
import type { KvCacheType, LoadPlan, PlanRequest } from "./types";
import { GiB } from "./units";

const request = (quant: M2Quant, vram: readonly number[], ramGiB: number, context: number, kvType: KvCacheType = "f16"): PlanRequest => ({
  model: m2Model(quant),
  context,
  kvType,
  gpus: vram.map((v, i) => ({ name: `GPU ${i}`, freeVram: v * GiB, bandwidth: 900e9 })),
  host: { freeRam: ramGiB * GiB, bandwidth: 80e9 },
});

const assertBudget = (p: LoadPlan): void => {
  if (!p.fits) return;
  for (const g of p.gpus) expect(g.total).toBeLessThanOrEqual(g.available - g.margin);
  expect(p.ram.total).toBeLessThanOrEqual(p.ram.available);
  expect(p.maxContext).toBeGreaterThanOrEqual(p.swaps ? 0 : p.context - 255);
};

describe("planner properties", () => {
  it.each([
    ["Q4_K_M", 32_768, "f16"],
    ["Q2_K", 65_536, "q8_0"],
    ["IQ1_S", 8192, "q4_0"],
  ] as const)("more VRAM never gives a slower plan, and plans stay within budget (%s, %i, %s)", (quant, ctx, kv) => {
    let prev = 0;
    let prevFits = false;
    for (let vram = 0; vram <= 160; vram += 4) {
      const p = planLoad(request(quant, [vram], 150, ctx, kv));
      assertBudget(p);
      if (prevFits) expect(p.fits).toBe(true);
      if (p.fits) {
        expect(p.speed.tokPerSecAtContext).toBeGreaterThanOrEqual(prev * (1 - 1e-9));
        prev = p.speed.tokPerSecAtContext;
        prevFits = true;
      }
    }
    expect(prevFits).toBe(true);
  });

  it("more RAM never gives a slower plan", () => {
    let prev = 0;
    for (let ram = 40; ram <= 260; ram += 10) {
      const p = planLoad(request("Q4_K_M", [24], ram, 16_384));
      assertBudget(p);
      if (p.fits) {
        expect(p.speed.tokPerSecAtContext).toBeGreaterThanOrEqual(prev * (1 - 1e-9));
        prev = p.speed.tokPerSecAtContext;
      }
    }
    expect(prev).toBeGreaterThan(0);
  });

  it("multi-GPU plans stay within every GPU's budget", () => {
    for (const vram of [[24, 24], [24, 12], [8, 24, 16], [48, 48, 48, 48]]) {
      for (const ctx of [4096, 32_768, 131_072]) {
        const p = planLoad(request("Q4_K_M", vram, 128, ctx));
        assertBudget(p);
        if (p.fits) expect(p.gpus).toHaveLength(vram.length);
      }
    }
  });

  it("a longer context never makes a plan faster or a non-fitting one fit", () => {
    let prev = Infinity;
    let fitted = true;
    for (const ctx of [2048, 8192, 32_768, 65_536, 131_072, 196_608]) {
      const p = planLoad(request("Q4_K_M", [24], 128, ctx));
      if (!fitted) expect(p.fits).toBe(false);
      fitted = p.fits;
      if (p.fits) {
        expect(p.speed.tokPerSecAtContext).toBeLessThanOrEqual(prev * (1 + 1e-9));
        prev = p.speed.tokPerSecAtContext;
      }
    }
  });
});
