/** Reference machines for the planner's tests (free memory as a freshly booted box reports it). */
import { m2Model, m2Quants, m2Tensors, totalBytes, type M2Quant } from "./m2-shapes";
import type { GpuInfo, HostInfo, PlanRequest, SiblingQuant } from "./types";
import { GiB } from "./units";

export const rtx4090: GpuInfo = { name: "NVIDIA GeForce RTX 4090", freeVram: 23.5 * GiB };
export const rtx3090: GpuInfo = { name: "NVIDIA GeForce RTX 3090", freeVram: 23.5 * GiB };
export const laptop4090: GpuInfo = { name: "NVIDIA GeForce RTX 4090 Laptop GPU", freeVram: 15.6 * GiB };
export const m2Ultra: GpuInfo = { name: "Apple M2 Ultra", freeVram: 0.75 * 192 * GiB };

export const ram192: HostInfo = { freeRam: 180 * GiB, totalRam: 188 * GiB, memoryKind: "ddr5-dual" };
export const ram128: HostInfo = { freeRam: 120 * GiB, totalRam: 125 * GiB, memoryKind: "ddr4-dual" };
export const ram64: HostInfo = { freeRam: 58 * GiB, totalRam: 62 * GiB, memoryKind: "ddr5-dual" };
export const macRam192: HostInfo = { freeRam: 180 * GiB, totalRam: 192 * GiB, unifiedMemory: true };
export const ram256: HostInfo = { freeRam: 245 * GiB, totalRam: 251 * GiB, memoryKind: "ddr5-dual" };

/** The other M2 quants, with their real tensor tables. */
export function m2Siblings(except: M2Quant): SiblingQuant[] {
  return m2Quants
    .filter((q) => q !== except)
    .map((q) => {
      const tensors = m2Tensors(q);
      return { quant: q, bytes: totalBytes(tensors), tensors };
    });
}

export function m2Request(quant: M2Quant, context: number, gpus: GpuInfo[], host: HostInfo, extra: Partial<PlanRequest> = {}): PlanRequest {
  return { model: m2Model(quant), context, gpus, host, siblings: m2Siblings(quant), ...extra };
}
