import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeM2HeaderOnly } from "../../node/gguf/m2-header-only";
import { planModel } from "./plan-service";

const GiB = 1024 ** 3;
const dir = mkdtempSync(join(tmpdir(), "m2d-plan-"));
const q4 = join(dir, "MiniMax-M2-Q4_K_M.gguf");

beforeAll(() => writeM2HeaderOnly(q4, "Q4_K_M"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// M2's real tensor table in a sparse header-only file: the planner reads a 138 GB model from disk without the weights.
describe("planModel on a header-only MiniMax-M2 Q4_K_M", () => {
  it("reads M2's shapes from the GGUF and plans expert offload for a 24 GB GPU + 192 GB RAM", async () => {
    expect(statSync(q4).size).toBeGreaterThan(130e9);
    const { plan, report } = await planModel(q4, { context: 32768, gpus: [{ name: "RTX 4090", freeVram: 24 * GiB }], host: { freeRam: 192 * GiB, totalRam: 192 * GiB } });
    expect(report.expertCount).toBe(256);
    expect(plan).toMatchObject({ fits: true, mode: "expert-offload", gpuLayers: 63 });
    expect(plan.explanation).toMatch(/^62\/62 layers on GPU, experts of \d+ layers in RAM/);
    expect(plan.gpus[0]!.total).toBeLessThanOrEqual(24 * GiB);
    expect(plan.overrides[0]?.device).toBe("CPU");
  });

  it("refuses a 16 GB laptop GPU with 64 GB RAM and suggests what would fit", async () => {
    const { plan } = await planModel(q4, { context: 32768, gpus: [{ name: "Laptop GPU", freeVram: 16 * GiB }], host: { freeRam: 64 * GiB, totalRam: 64 * GiB } });
    expect(plan.fits).toBe(false);
    expect(plan.refusal?.message).toBeTruthy();
  });
});
