import { describe, expect, it } from "vitest";
import { AppError } from "../contract/errors";
import { layerStats } from "./footprint";
import { m2Model } from "./m2-shapes";
import { nCpuMoeOverrides } from "./overrides";
import { nCpuMoeEquivalent, planLoad, requireFit, tensorBufferOverrides } from "./plan";
import { laptop4090, m2Request, m2Ultra, macRam192, ram128, ram192, ram256, ram64, rtx3090, rtx4090 } from "./test-rigs";
import type { LoadPlan } from "./types";
import { GiB } from "./units";

const withinBudget = (p: LoadPlan): void => {
  for (const g of p.gpus) expect(g.total).toBeLessThanOrEqual(g.available - g.margin);
  expect(p.ram.total).toBeLessThanOrEqual(p.ram.available);
};

describe("RTX 4090 (24 GB) + 192 GB RAM, Q4_K_M", () => {
  const plan = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192));

  it("keeps every layer's attention and KV on the GPU and the experts of the first N layers in RAM", () => {
    expect(plan.fits).toBe(true);
    expect(plan.swaps).toBe(false);
    expect(plan.mode).toBe("expert-offload");
    expect(plan.gpuLayers).toBe(63);
    const n = nCpuMoeEquivalent(plan);
    expect(n).not.toBeNull();
    expect(n).toBeGreaterThan(50);
    expect(n).toBeLessThan(62);
    expect(plan.cpuExpertLayers).toEqual(Array.from({ length: n ?? 0 }, (_, i) => i));
    expect(tensorBufferOverrides(plan)).toEqual(nCpuMoeOverrides(n ?? 0));
    withinBudget(plan);
  });

  it("puts the f16 KV cache of all 62 layers on the GPU: 8 KV heads × 128 × (K+V) × 2 B × 62 × 32768", () => {
    expect(plan.gpus[0]?.kvCache).toBe(62 * 8 * 256 * 2 * 32_768);
    expect(plan.ram.kvCache).toBe(0);
  });

  it("predicts decode from bytes per token: CPU reads 8/256 of the RAM experts", () => {
    const stats = layerStats(m2Model("Q4_K_M"));
    const ramExperts = plan.cpuExpertLayers.reduce((a, l) => a + (stats.experts[l] ?? 0), 0);
    expect(plan.speed.cpuReadBytes).toBeCloseTo(ramExperts / 32, -3);
    const seconds = (plan.speed.gpuReadBytes[0] ?? 0) / 1008e9 + plan.speed.cpuReadBytes / 80e9;
    expect(plan.speed.tokPerSecEmpty).toBeCloseTo(1 / seconds, 6);
    expect(plan.speed.tokPerSecEmpty).toBeGreaterThan(15);
    expect(plan.speed.tokPerSecEmpty).toBeLessThan(25);
    expect(plan.speed.tokPerSecAtContext).toBeLessThan(plan.speed.tokPerSecEmpty);
  });

  it("explains itself in one line", () => {
    expect(plan.explanation).toMatch(/^62\/62 layers on GPU, experts of \d\d layers in RAM: \d+\.\d GiB VRAM, \d+ GiB RAM, ≤ \d+ tok\/s \(\d+ at 32k\)$/);
  });

  it("allows a context beyond the requested one, and refuses one past it", () => {
    expect(plan.maxContext).toBeGreaterThanOrEqual(32_768);
    const forced = { gpuLayers: plan.gpuLayers, patterns: plan.overrides.map((o) => `${o.pattern}=CPU`) };
    expect(planLoad(m2Request("Q4_K_M", plan.maxContext, [rtx4090], ram192, { override: forced })).fits).toBe(true);
    expect(planLoad(m2Request("Q4_K_M", plan.maxContext + 256, [rtx4090], ram192, { override: forced })).fits).toBe(false);
  });

  it("predicts the same for its own overrides fed back as raw patterns", () => {
    const again = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { patterns: plan.overrides.map((o) => o.pattern) } }));
    expect(again.source).toBe("patterns");
    expect(again.gpus).toEqual(plan.gpus);
    expect(again.ram).toEqual(plan.ram);
    expect(again.speed).toEqual(plan.speed);
    expect(nCpuMoeEquivalent(again)).toBe(nCpuMoeEquivalent(plan));
  });

  it("quantized KV frees VRAM for more expert layers and is faster", () => {
    const q8 = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { kvType: "q8_0" }));
    expect(nCpuMoeEquivalent(q8)).toBeLessThan(nCpuMoeEquivalent(plan) ?? 0);
    expect(q8.speed.tokPerSecAtContext).toBeGreaterThan(plan.speed.tokPerSecAtContext);
  });
});

describe("two RTX 3090s + 128 GB RAM, Q4_K_M", () => {
  const plan = planLoad(m2Request("Q4_K_M", 32_768, [rtx3090, rtx3090], ram128));

  it("splits layers by free VRAM and fills both GPUs with experts", () => {
    expect(plan.fits).toBe(true);
    expect(plan.tensorSplit).toEqual([0.5, 0.5]);
    expect(plan.layerDevices.filter((d) => d === 0)).toHaveLength(32);
    const onGpu = plan.groups.filter((g) => g.group === "experts" && g.device >= 0).map((g) => g.device);
    expect(onGpu).toEqual([0, 1]);
    withinBudget(plan);
    expect(plan.explanation).toMatch(/^62\/62 layers on GPU, experts of \d+ layers in RAM: [\d.]+ \+ [\d.]+ GiB VRAM/);
  });

  it("is faster than plain --n-cpu-moe, which fills only the second GPU, and says it has no such form", () => {
    expect(nCpuMoeEquivalent(plan)).toBeNull();
    let plain: LoadPlan | undefined;
    for (let n = 40; n <= 62 && !plain?.fits; n++) {
      plain = planLoad(m2Request("Q4_K_M", 32_768, [rtx3090, rtx3090], ram128, { override: { nCpuMoe: n } }));
    }
    expect(plain?.fits).toBe(true);
    expect(plan.speed.tokPerSecAtContext).toBeGreaterThan(plain?.speed.tokPerSecAtContext ?? Infinity);
  });
});

describe("16 GB laptop GPU + 64 GB RAM", () => {
  const plan = planLoad(m2Request("Q4_K_M", 32_768, [laptop4090], ram64));

  it("refuses Q4_K_M and suggests IQ1_S", () => {
    expect(plan.fits).toBe(false);
    expect(plan.explanation).toMatch(/^Does not fit: MiniMax-M2 Q4_K_M at 32k context needs \d+ GiB of RAM with the GPU full/);
    const quants = plan.refusal?.suggestions.flatMap((s) => (s.kind === "quant" ? [s.quant] : [])) ?? [];
    expect(quants).toContain("IQ1_S");
    // Q2_K's 77.6 GiB of weights exceed this box's 15.6 GiB VRAM + 58 GiB free RAM outright.
    expect(quants).not.toContain("Q2_K");
    expect(plan.refusal?.suggestions.some((s) => s.kind === "context")).toBe(false);
    expect(plan.refusal?.message).toMatch(/more than closing apps could free/);
    expect(() => requireFit(plan)).toThrow(AppError);
  });

  it("IQ1_S then fits with most experts on the GPU", () => {
    const iq1 = planLoad(m2Request("IQ1_S", 32_768, [laptop4090], ram64));
    expect(iq1.fits).toBe(true);
    expect(iq1.mode).toBe("expert-offload");
    withinBudget(iq1);
  });
});

describe("M2 Ultra, 192 GB unified memory", () => {
  it("runs Q4_K_M fully on the GPU inside the 75% working set, without an expert split", () => {
    const plan = planLoad(m2Request("Q4_K_M", 32_768, [m2Ultra], macRam192));
    expect(plan.fits).toBe(true);
    expect(plan.unifiedMemory).toBe(true);
    expect(plan.mode).toBe("gpu");
    expect(plan.overrides).toEqual([]);
    expect(plan.gpus[0]?.available).toBe(0.75 * 192 * GiB);
    withinBudget(plan);
    // One pool: RAM use includes the GPU's share.
    expect(plan.ram.total).toBeGreaterThan(plan.gpus[0]?.total ?? 0);
    expect(plan.explanation).toMatch(/^62\/62 layers on GPU \(unified memory\): \d+ GiB of 144 GiB working set/);
  });

  it("offloads fewer layers when the working set is overridden lower", () => {
    const plan = planLoad(m2Request("Q4_K_M", 32_768, [m2Ultra], { ...macRam192, workingSetLimit: 100 * GiB }));
    expect(plan.fits).toBe(true);
    expect(plan.mode).toBe("layer-offload");
    expect(plan.gpuBlocks).toBeLessThan(62);
    expect(plan.cpuExpertLayers.length).toBe(62 - plan.gpuBlocks);
    withinBudget(plan);
  });

  it("refuses Q8_0 (243 GB) and names Q4_K_M", () => {
    const plan = planLoad(m2Request("Q8_0", 32_768, [m2Ultra], macRam192));
    expect(plan.fits).toBe(false);
    expect(plan.refusal?.suggestions.find((s) => s.kind === "quant")).toMatchObject({ quant: "Q4_K_M" });
  });
});

describe("CPU-only box, 256 GB DDR5", () => {
  it("runs everything from RAM at RAM bandwidth", () => {
    const plan = planLoad(m2Request("Q4_K_M", 32_768, [], ram256));
    expect(plan.fits).toBe(true);
    expect(plan.mode).toBe("cpu");
    expect(plan.gpuLayers).toBe(0);
    expect(plan.overrides).toEqual([]);
    expect(plan.ram.kvCache).toBe(62 * 4096 * 32_768);
    expect(plan.explanation).toMatch(/^CPU only \(0\/62 layers on GPU\): \d+ GiB RAM, ≤ \d+(\.\d)? tok\/s/);
    expect(plan.speed.tokPerSecEmpty).toBeCloseTo(80e9 / plan.speed.cpuReadBytes, 6);
  });
});

describe("user overrides", () => {
  const auto = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192));

  it("N that fits is predicted as given", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { nCpuMoe: 62 } }));
    expect(p.fits).toBe(true);
    expect(p.source).toBe("n-cpu-moe");
    expect(nCpuMoeEquivalent(p)).toBe(62);
    expect(p.speed.tokPerSecAtContext).toBeLessThan(auto.speed.tokPerSecAtContext);
  });

  it("N too small is refused with the N that fits", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { nCpuMoe: 30 } }));
    expect(p.fits).toBe(false);
    expect(p.refusal?.message).toMatch(new RegExp(`^With --n-cpu-moe 30: needs \\d+(\\.\\d)? GiB on GPU0 .*Would fit: --n-cpu-moe ${auto.nCpuMoe} `));
    expect(p.refusal?.suggestions[0]).toMatchObject({ kind: "auto-plan", nCpuMoe: auto.nCpuMoe });
  });

  it("raw patterns are matched against tensor names", () => {
    const all = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { patterns: ["exps=CPU"] } }));
    expect(all.fits).toBe(true);
    expect(nCpuMoeEquivalent(all)).toBe(62);
    expect(all.explanation).toMatch(/^Custom overrides: 62\/62 layers on GPU, experts of 62 layers in RAM/);

    const downOnly = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { patterns: [String.raw`blk\.\d+\.ffn_down_exps=CPU`] } }));
    expect(nCpuMoeEquivalent(downOnly)).toBeNull();
    const downBytes = m2Model("Q4_K_M").tensors.filter((t) => t.name.includes("ffn_down_exps")).reduce((a, t) => a + t.bytes, 0);
    const input = m2Model("Q4_K_M").tensors.find((t) => t.name === "token_embd.weight")?.bytes ?? 0;
    expect(downOnly.ram.weights).toBe(downBytes + input);
    expect(downOnly.fits).toBe(false);
  });

  it("warns about patterns that match nothing and rejects invalid ones", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { patterns: ["exps=CPU", "no_such_tensor=CPU"] } }));
    expect(p.warnings).toContain("override pattern no_such_tensor matches no tensor");
    expect(() => planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { patterns: ["blk\\.(=CPU"] } }))).toThrow(AppError);
    expect(() => planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { nCpuMoe: -1 } }))).toThrow(/n-cpu-moe/);
  });

  it("gpuLayers pins n_gpu_layers and still splits experts", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], ram192, { override: { gpuLayers: 40 } }));
    expect(p.fits).toBe(true);
    expect(p.gpuLayers).toBe(40);
    expect(p.mode).toBe("layer-offload");
    expect(p.speed.tokPerSecAtContext).toBeLessThan(auto.speed.tokPerSecAtContext);
  });
});

describe("context too long", () => {
  it("refuses and names the longest context that fits, exactly", () => {
    const req = m2Request("Q4_K_M", 131_072, [rtx4090], ram128);
    const plan = planLoad(req);
    expect(plan.fits).toBe(false);
    const ctx = plan.refusal?.suggestions.find((s) => s.kind === "context");
    expect(ctx?.kind).toBe("context");
    const max = ctx?.kind === "context" ? ctx.maxContext : 0;
    expect(max).toBeGreaterThan(4096);
    expect(max % 256).toBe(0);
    expect(plan.refusal?.message).toContain(`context ≤ ${max.toLocaleString("en-US")}`);
    expect(planLoad({ ...req, context: max }).fits).toBe(true);
    expect(planLoad({ ...req, context: max + 256 }).fits).toBe(false);
    // A quantized KV cache is the other way to get there.
    expect(plan.refusal?.suggestions.some((s) => s.kind === "kv-type")).toBe(true);
  });

  it("warns past the trained context and about quantized V without flash attention", () => {
    const p = planLoad(m2Request("IQ1_S", 200_000, [], ram256, { kvType: "q4_0", flashAttention: false }));
    expect(p.warnings.some((w) => w.includes("trained 196,608"))).toBe(true);
    expect(p.warnings.some((w) => w.includes("flash attention"))).toBe(true);
  });
});

describe("swap", () => {
  it("warns when RAM use eats into the reserve but still fits in free RAM", () => {
    const host = { ...ram128, freeRam: 120 * GiB, reserve: 30 * GiB };
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx3090, rtx3090], host));
    expect(p.fits).toBe(true);
    expect(p.swaps).toBe(true);
    expect(p.explanation).toMatch(/— swaps: close apps to free \d+\.\d GiB of RAM$/);
    expect(p.warnings[0]).toMatch(/the OS will page/);
  });
});

describe("closing apps and GPUs too full", () => {
  it("says how much RAM to free when other apps hold it", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], { ...ram192, freeRam: 100 * GiB }));
    expect(p.fits).toBe(false);
    const free = p.refusal?.suggestions.find((s) => s.kind === "free-ram");
    expect(free?.kind).toBe("free-ram");
    const bytes = free?.kind === "free-ram" ? free.bytes : 0;
    expect(bytes).toBeGreaterThan(10 * GiB);
    expect(planLoad(m2Request("Q4_K_M", 32_768, [rtx4090], { ...ram192, freeRam: 100 * GiB + bytes + 1 })).fits).toBe(true);
    expect(p.refusal?.message).toMatch(/close apps to free \d+\.\d GiB of RAM/);
  });

  it("falls back to the CPU backend when a GPU cannot even hold compute buffers", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [{ ...rtx4090, freeVram: 0.3 * GiB }], ram192));
    expect(p.fits).toBe(true);
    expect(p.gpuBackend).toBe(false);
    expect(p.mode).toBe("cpu");
    expect(p.warnings[0]).toMatch(/CPU backend/);
  });

  it("refuses a pinned n_gpu_layers no expert split can fit, naming one that does", () => {
    const p = planLoad(m2Request("Q4_K_M", 32_768, [{ ...rtx4090, freeVram: 8 * GiB }], ram192, { override: { gpuLayers: 63 } }));
    expect(p.fits).toBe(false);
    expect(p.gpuLayers).toBe(63);
    expect(p.refusal?.message).toMatch(/^With n_gpu_layers 63: needs .* Would fit: --n-cpu-moe \d+ with n_gpu_layers \d+/);
  });
});
