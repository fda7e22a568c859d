import { describe, expect, it } from "vitest";
import { planLargestContext, reloadContext } from "./fit-context";
import { planLoad } from "./plan";
import { m2Request, ram128, ram256, ram64, rtx4090 } from "./test-rigs";
import type { PlanRequest } from "./types";
import { GiB } from "./units";

const req = (r: PlanRequest): Omit<PlanRequest, "context"> => {
  const { context: _context, ...rest } = r;
  return rest;
};

describe("planLargestContext: the context a load gets when none is asked for", () => {
  it("gives the whole trained context (196,608) where it fits: Q4_K_M on the CPU with 256 GB", () => {
    const plan = planLargestContext(req(m2Request("Q4_K_M", 0, [], ram256)), 32_768);
    expect(plan.fits).toBe(true);
    expect(plan.swaps).toBe(false);
    expect(plan.context).toBe(196_608);
  });

  it("keeps the fast placement and the context beside it on a 4090 (VRAM is the limit, not trained context)", () => {
    const base = m2Request("Q4_K_M", 0, [rtx4090], ram256);
    const plan = planLargestContext(req(base), 32_768);
    expect(plan.fits).toBe(true);
    expect(plan.swaps).toBe(false);
    expect(plan.context).toBeGreaterThan(32_768);
    expect(plan.context).toBeLessThan(196_608);
    expect(plan.context % 256).toBe(0);
    // The placement chosen at the base context is kept: same layers and experts on the GPU.
    const atBase = planLoad({ ...base, context: 32_768 });
    expect(plan.gpuLayers).toBe(atBase.gpuLayers);
    expect(plan.context).toBeLessThanOrEqual(atBase.maxContext);
    // Not the whole trained context at a fraction of the speed (the planner's plan at 196,608 moves layers to RAM).
    expect(plan.speed.tokPerSecAtContext).toBeGreaterThan(planLoad({ ...base, context: 196_608 }).speed.tokPerSecAtContext * 2);
  });

  it("goes below the base context rather than swap: Q4_K_M on a 4090 + 128 GB swaps at 32k", () => {
    const base = m2Request("Q4_K_M", 0, [rtx4090], ram128);
    expect(planLoad({ ...base, context: 32_768 }).swaps).toBe(true);
    const plan = planLargestContext(req(base), 32_768);
    expect(plan.fits).toBe(true);
    expect(plan.swaps).toBe(false);
    expect(plan.context).toBeGreaterThanOrEqual(4096);
    expect(plan.context).toBeLessThan(32_768);
    expect(planLoad({ ...base, context: plan.context + 256 }).swaps || !planLoad({ ...base, context: plan.context + 256 }).fits).toBe(true);
  });

  it("returns the refusal at the base context when the model does not fit at all", () => {
    const tiny = { freeRam: 8 * GiB, totalRam: 16 * GiB };
    const plan = planLargestContext(req(m2Request("Q4_K_M", 0, [], tiny)), 32_768);
    expect(plan.fits).toBe(false);
    expect(plan.context).toBe(32_768);
    expect(plan.refusal).not.toBeNull();
  });

  it("never goes past a small trained context", () => {
    const r = req(m2Request("Q4_K_M", 0, [rtx4090], ram256));
    const plan = planLargestContext({ ...r, model: { ...r.model, trainedContext: 8192 } }, 32_768);
    expect(plan.context).toBe(8192);
  });
});

describe("reloadContext: the context offered when a prompt does not fit", () => {
  const r = req(m2Request("Q4_K_M", 0, [rtx4090], ram256));

  it("is the smallest power-of-two size from 4096 that holds the prompt and reply", () => {
    expect(reloadContext(r, 5_400, 4096)).toBe(8192);
    expect(reloadContext(r, 20_000, 8192)).toBe(32_768);
  });

  it("may move layers to RAM when the prompt needs it: 190,000 tokens get the trained 196,608", () => {
    expect(reloadContext(r, 190_000, 32_768)).toBe(196_608);
  });

  it("is the largest that fits when the comfortable size does not (4090 + 128 GB swaps at 32k)", () => {
    const tight = req(m2Request("Q4_K_M", 0, [rtx4090], ram128));
    const largest = planLargestContext(tight, 32_768).context;
    expect(largest).toBeGreaterThan(4096);
    expect(reloadContext(tight, 20_000, 4096)).toBe(largest);
    expect(reloadContext(tight, 20_000, largest)).toBeNull();
  });

  it("is null when nothing larger fits, or the model does not fit at all", () => {
    expect(reloadContext(r, 200_000, 196_608)).toBeNull();
    expect(reloadContext(req(m2Request("Q4_K_M", 0, [], ram64)), 10_000, 4096)).toBeNull();
  });
});
