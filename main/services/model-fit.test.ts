import { describe, expect, it } from "vitest";
import { m2NominalGB } from "../../app/planner/m2-shapes";
import { catalogQuantFit, recommendQuant, type Machine } from "./model-fit";

const GB = 1e9;
const GiB = 1024 ** 3;
// A 24 GB GPU with 128 GiB of RAM: the common "expert offload" box for M2.
const rig: Machine = { host: { freeRam: 128 * GiB, totalRam: 128 * GiB }, gpus: [{ name: "NVIDIA GeForce RTX 4090", freeVram: 24 * GiB }] };
const noGpu: Machine = { host: { freeRam: 64 * GiB, totalRam: 64 * GiB }, gpus: [] };

describe("fit verdicts for catalog quants (the planner on M2's tensor table, scaled to the file size)", () => {
  it("puts M2's quants where the planner would on a 24 GB GPU + 128 GiB box", () => {
    expect(catalogQuantFit(m2NominalGB.IQ1_S * GB, rig).verdict).toBe("expert_offload");
    expect(catalogQuantFit(m2NominalGB.Q2_K * GB, rig).verdict).toBe("expert_offload");
    expect(catalogQuantFit(m2NominalGB.Q8_0 * GB, rig).verdict).toBe("no_fit");
    expect(catalogQuantFit(460 * GB, rig).verdict).toBe("no_fit");
  });

  it("says RAM only without a GPU, and unknown before the size is known", () => {
    expect(catalogQuantFit(m2NominalGB.IQ1_S * GB, noGpu).verdict).toBe("ram");
    expect(catalogQuantFit(m2NominalGB.Q4_K_M * GB, noGpu).verdict).toBe("no_fit");
    expect(catalogQuantFit(null, noGpu)).toMatchObject({ verdict: "unknown" });
  });

  it("recommends the largest quant of the best verdict", () => {
    const quants = (["IQ1_S", "Q2_K", "Q4_K_M", "Q8_0"] as const).map((q) => ({ quant: q, totalBytes: m2NominalGB[q] * GB, fit: catalogQuantFit(m2NominalGB[q] * GB, rig) }));
    expect(recommendQuant(quants)?.quant).toBe(quants.filter((q) => q.fit.verdict === "expert_offload").at(-1)?.quant);
    expect(recommendQuant([{ totalBytes: null, fit: { verdict: "unknown" as const, detail: "" } }])).toBeUndefined();
  });
});
