import { describe, expect, it } from "vitest";
import { layerLayout, tensorSplit } from "./split";
import { CPU } from "./types";

describe("layerLayout (llama.cpp load_tensors split)", () => {
  it("n_gpu_layers = layers+1 puts every block and the output on the GPU", () => {
    const l = layerLayout(62, 63, [1]);
    expect(l.blocks.every((d) => d === 0)).toBe(true);
    expect(l.output).toBe(0);
  });

  it("counts the output layer first: ngl 1 offloads only the output, ngl 0 nothing", () => {
    expect(layerLayout(62, 1, [1]).blocks.every((d) => d === CPU)).toBe(true);
    expect(layerLayout(62, 1, [1]).output).toBe(0);
    expect(layerLayout(62, 0, [1]).output).toBe(CPU);
  });

  it("offloads the last blocks", () => {
    const l = layerLayout(62, 11, [1]);
    expect(l.blocks.indexOf(0)).toBe(52);
    expect(l.blocks.filter((d) => d === 0)).toHaveLength(10);
  });

  it("splits blocks between GPUs by free VRAM, output on the last", () => {
    const l = layerLayout(62, 63, tensorSplit([24, 24]));
    // slot il goes to GPU0 while il/63 < 0.5: blocks 0-31.
    expect(l.blocks.lastIndexOf(0)).toBe(31);
    expect(l.blocks.indexOf(1)).toBe(32);
    expect(l.output).toBe(1);
    const uneven = layerLayout(62, 63, tensorSplit([8, 24]));
    expect(uneven.blocks.filter((d) => d === 0)).toHaveLength(16);
  });

  it("no GPUs: everything on the CPU", () => {
    const l = layerLayout(62, 63, []);
    expect(l.blocks.every((d) => d === CPU)).toBe(true);
    expect(l.output).toBe(CPU);
  });
});
