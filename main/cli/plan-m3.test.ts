import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { LoadPlan } from "../../app/planner";
import { writeM3HeaderOnly } from "../../node/gguf/m3-header-only";
import { planCommand } from "./plan-command";

// `m2d plan` on header-only MiniMax-M3 files with the real tensor table: the command reads the GGUF, validates it as minimax-m3 and plans.

const dir = mkdtempSync(join(tmpdir(), "m2d-plan-m3-"));
const q2 = join(dir, "MiniMax-M3-Q2_K.gguf");
const q4 = join(dir, "MiniMax-M3-Q4_K_M.gguf");
const q8 = join(dir, "MiniMax-M3-Q8_0.gguf");

beforeAll(() => Promise.all([writeM3HeaderOnly(q2, "Q2_K"), writeM3HeaderOnly(q4, "Q4_K_M"), writeM3HeaderOnly(q8, "Q8_0")]), 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `m2d plan <args>` in-process and returns what it printed and its exit code. */
async function m2dPlan(args: string[]): Promise<{ out: string; exitCode: number }> {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  await planCommand(args);
  return { out: lines.join("\n"), exitCode: Number(process.exitCode ?? 0) };
}

async function planJson(args: string[]): Promise<{ plan: LoadPlan; exitCode: number }> {
  const { out, exitCode } = await m2dPlan([...args, "--json"]);
  return { plan: JSON.parse(out) as LoadPlan, exitCode };
}

const MOE_BLOCKS = Array.from({ length: 57 }, (_, i) => i + 3);

describe("m2d plan on header-only MiniMax-M3", { timeout: 120_000 }, () => {
  it("24 GB GPU + 256 GB RAM, Q4_K_M at 32k: all 60 blocks on the GPU, routed experts of the first MoE blocks in RAM", async () => {
    const { plan, exitCode } = await planJson([q4, "--ctx", "32768", "--vram", "24", "--ram", "256", "--gpu", "RTX 4090"]);
    expect(exitCode).toBe(0);
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", gpuBlocks: 60, model: { quant: "Q4_K_M", layers: 60 } });
    expect(plan.cpuExpertLayers.length).toBeGreaterThan(50);
    expect(plan.cpuExpertLayers).toEqual(MOE_BLOCKS.slice(0, plan.cpuExpertLayers.length));
    // the overrides name routed experts only: dense FFN, shared expert and indexer stay with their block on the GPU
    for (const o of plan.overrides) {
      const re = new RegExp(o.pattern);
      expect(["blk.3.ffn_up_shexp.weight", "blk.0.ffn_up.weight", "blk.3.indexer.q_proj.weight", "blk.3.attn_q.weight"].some((n) => re.test(n))).toBe(false);
      expect(re.test("blk.3.ffn_up_exps.weight")).toBe(true);
    }
    expect(plan.gpus[0]!.kvCache).toBe((60 * 4 * 256 * 2 + 57 * 256 * 2) * 32_768);
  });

  /** Whether the plan's -ot overrides send this tensor to RAM. */
  const inRam = (plan: LoadPlan, name: string): boolean => plan.overrides.some((o) => new RegExp(o.pattern).test(name));
  const DENSE_AND_SHARED = ["ffn_up", "ffn_down", "ffn_gate", "ffn_up_shexp", "ffn_down_shexp", "ffn_gate_shexp", "attn_norm"];

  it("24 GB GPU + 256 GB RAM, Q4_K_M at 64k: dense blocks 0-2 and every shared expert stay on the GPU, the first MoE blocks' attention goes to RAM", async () => {
    const { plan, exitCode } = await planJson([q4, "--ctx", "65536", "--vram", "24", "--ram", "256", "--gpu", "RTX 4090"]);
    expect(exitCode).toBe(0);
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", gpuLayers: 61, gpuBlocks: 60, nCpuMoe: null });
    expect(plan.layerDevices.slice(0, 3)).toEqual([0, 0, 0]);
    expect(plan.ram.kvCache).toBe(0);
    for (let l = 0; l < 60; l++) for (const t of DENSE_AND_SHARED) expect(inRam(plan, `blk.${l}.${t}.weight`)).toBe(false);
    expect(inRam(plan, "blk.0.attn_q.weight")).toBe(false);
    expect(inRam(plan, "blk.3.attn_q.weight")).toBe(true);
    expect(inRam(plan, "blk.3.indexer.k_proj.weight")).toBe(true);
    expect(inRam(plan, "blk.59.attn_q.weight")).toBe(false);
  });

  it("24 GB GPU + 256 GB RAM, Q4_K_M at 128k: the f16 KV cache of 60 blocks and the compute buffer alone pass 24 GB, so leading blocks go to the CPU whole; the GPU blocks keep their shared experts", async () => {
    const { plan, exitCode } = await planJson([q4, "--ctx", "131072", "--vram", "24", "--ram", "256", "--gpu", "RTX 4090"]);
    expect(exitCode).toBe(0);
    expect(plan).toMatchObject({ fits: true, mode: "layer-offload" });
    const gpu = plan.gpus[0]!;
    expect((60 * 4 * 256 * 2 + 57 * 256 * 2) * 131_072).toBeGreaterThan(gpu.available - gpu.margin - gpu.compute);
    for (let l = 0; l < 60; l++) for (const t of DENSE_AND_SHARED) expect(inRam(plan, `blk.${l}.${t}.weight`)).toBe(false);
  });

  it("24 GB GPU + 256 GB RAM refuses Q8_0 (exit 3) and the table says why", async () => {
    const { out, exitCode } = await m2dPlan([q8, "--ctx", "32768", "--vram", "24", "--ram", "256"]);
    expect(exitCode).toBe(3);
    expect(out).toMatch(/needs \d+ GiB of RAM/);
    const q2k = await planJson([q2, "--ctx", "65536", "--vram", "24", "--ram", "256"]);
    expect(q2k.plan).toMatchObject({ fits: true, mode: "expert-offload", gpuBlocks: 60 });
  });

  it("96 GB GPU + 512 GB RAM, Q8_0 at 64k: the GPU keeps the routed experts of the last MoE blocks, RAM those of the first", async () => {
    const { plan, exitCode } = await planJson([q8, "--ctx", "65536", "--vram", "96", "--ram", "512"]);
    expect(exitCode).toBe(0);
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", gpuBlocks: 60 });
    const n = plan.cpuExpertLayers.length;
    expect(n).toBeGreaterThan(20);
    expect(n).toBeLessThan(57);
    expect(plan.cpuExpertLayers).toEqual(MOE_BLOCKS.slice(0, n));
    expect(plan.groups).toContainEqual(expect.objectContaining({ group: "experts", device: 0, layers: `${n + 3}-59` }));
  });

  it("512 GB Mac (unified, 384 GB working set): Q4_K_M entirely on the GPU, Q8_0 with its leading blocks on the CPU", async () => {
    const mac = ["--ctx", "65536", "--vram", "384", "--ram", "512", "--unified", "--gpu", "Apple M3 Ultra"];
    const q4k = await planJson([q4, ...mac]);
    expect(q4k.plan).toMatchObject({ fits: true, unifiedMemory: true, mode: "gpu", gpuBlocks: 60, overrides: [] });
    const q8k = await planJson([q8, ...mac]);
    expect(q8k.plan).toMatchObject({ fits: true, unifiedMemory: true, mode: "layer-offload" });
    expect(q8k.plan.layerDevices.slice(0, 60 - q8k.plan.gpuBlocks).every((d) => d === -1)).toBe(true);
    expect(q8k.plan.gpuBlocks).toBeGreaterThan(40);
  });

  it("prints the plan's table for M3", async () => {
    const { out } = await m2dPlan([q4, "--ctx", "32768", "--vram", "24", "--ram", "256", "--gpu", "RTX 4090"]);
    expect(out).toContain("MiniMax-M3 Q4_K_M (header only)");
    expect(out).toMatch(/60\/60 layers on GPU, experts of \d+ layers in RAM/);
  });
});
