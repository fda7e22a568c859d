import { describe, expect, it } from "vitest";
import { PlanParamsSchema } from "../../../../app/contract";
import { AUTO_CHOICES, offloadChoice, planParams } from "./load-choices";

describe("load dialog choices → plan params", () => {
  it("is the planner's auto plan until the user moves the slider or types patterns; patterns win", () => {
    expect(offloadChoice(AUTO_CHOICES)).toEqual({ mode: "auto" });
    expect(offloadChoice({ ...AUTO_CHOICES, cpuMoe: 0 })).toEqual({ mode: "cpu-moe", layers: 0 });
    expect(offloadChoice({ ...AUTO_CHOICES, cpuMoe: 40, patterns: "blk\\.1\\.ffn_.*_exps=CPU\n\n  attn_q=cpu \n" })).toEqual({
      mode: "patterns",
      patterns: [
        { pattern: "blk\\.1\\.ffn_.*_exps", device: "cpu" },
        { pattern: "attn_q", device: "cpu" },
      ],
    });
  });

  it("sends a context only when it is a valid size, and another machine's memory only when both fields are numbers", () => {
    const params = planParams("/m.gguf", "auto", "12", { ...AUTO_CHOICES, whatIf: { vram: "24", ram: "" } });
    expect(params).toEqual({ path: "/m.gguf", gpu: "auto", offload: { mode: "auto" } });
    const full = planParams("/m.gguf", "cpu", "8192", { ...AUTO_CHOICES, whatIf: { vram: "1.5", ram: "64" } });
    expect(full).toMatchObject({ contextSize: 8192, machine: { gpuVram: 1.5 * 1024 ** 3, ram: 64 * 1024 ** 3 } });
    expect(PlanParamsSchema.safeParse(full).success).toBe(true);
  });
});
