/** Which device each block runs on, reproducing llama.cpp's layer split (llama-model.cpp load_tensors). */
import { CPU, type DeviceIndex } from "./types";

/** Each GPU's share of the layers: proportional to free VRAM, llama.cpp's default tensor_split. */
export function tensorSplit(freeVram: readonly number[]): number[] {
  const sum = freeVram.reduce((a, b) => a + b, 0);
  return sum > 0 ? freeVram.map((f) => f / sum) : freeVram.map(() => 1 / freeVram.length);
}

export interface LayerLayout {
  /** Device of each block (attention, KV, and experts unless overridden). */
  readonly blocks: readonly DeviceIndex[];
  /** Device of output and output_norm. */
  readonly output: DeviceIndex;
}

/**
 * n_gpu_layers counts the output layer as one: the last `gpuLayers` of the
 * `layers + 1` slots go to the GPUs, cut at cumulative split points (float maths, as in llama.cpp).
 */
export function layerLayout(layers: number, gpuLayers: number, split: readonly number[]): LayerLayout {
  const f = Math.fround;
  const cumulative: number[] = [];
  let acc = f(0);
  for (const s of split) cumulative.push((acc = f(acc + f(s))));
  const total = acc;
  const points = cumulative.map((c) => f(c / total));
  const start = Math.max(layers + 1 - gpuLayers, 0);
  const active = split.length === 0 ? 0 : Math.min(gpuLayers, layers + 1);
  const device = (il: number): DeviceIndex => {
    if (il < start || il - start >= active) return CPU;
    const x = f((il - start) / active);
    const i = points.findIndex((p) => p > x);
    return i === -1 ? split.length - 1 : i;
  };
  return { blocks: Array.from({ length: layers }, (_, il) => device(il)), output: device(layers) };
}
