/** Default memory bandwidths (bytes/s) when none was measured or given; spec-sheet peaks, so the speed is a ceiling. */
import { DEFAULT_GPU_BANDWIDTH, UNIFIED_CPU_BANDWIDTH_FRACTION } from "./constants";
import type { GpuInfo, HostInfo, HostMemoryKind } from "./types";
import { GB } from "./units";

// First match wins: laptop parts before their desktop namesakes, Ultra before Max.
const gpuTable: readonly (readonly [RegExp, number])[] = [
  [/laptop|mobile|max-q/i, 400],
  [/\bH200\b/i, 4800],
  [/\bH100\b/i, 3350],
  [/\bA100\b/i, 2039],
  [/5090/, 1792],
  [/4090/, 1008],
  [/5080/, 960],
  [/3090/, 936],
  [/4080/, 717],
  [/3080/, 760],
  [/4070/, 504],
  [/3070/, 448],
  [/7900\s*XTX/i, 960],
  [/\bM[1-4] Ultra\b/i, 800],
  [/\bM4 Max\b/i, 546],
  [/\bM[1-3] Max\b/i, 400],
  [/\bM[1-4] Pro\b/i, 200],
];

const hostTable: Readonly<Record<HostMemoryKind, number>> = {
  "ddr4-dual": 50,
  "ddr5-dual": 80,
  "ddr4-quad": 90,
  "ddr5-quad": 160,
  "ddr5-octa": 300,
  lpddr5: 100,
};

export function gpuBandwidth(gpu: GpuInfo): number {
  if (gpu.bandwidth !== undefined) return gpu.bandwidth;
  const hit = gpuTable.find(([re]) => re.test(gpu.name));
  return hit ? hit[1] * GB : DEFAULT_GPU_BANDWIDTH;
}

/** CPU-side bandwidth; on unified memory, a fraction of the GPU's unless given. */
export function hostBandwidth(host: HostInfo, unifiedGpu?: GpuInfo): number {
  if (host.bandwidth !== undefined) return host.bandwidth;
  if (host.memoryKind !== undefined) return hostTable[host.memoryKind] * GB;
  if (host.unifiedMemory && unifiedGpu) return gpuBandwidth(unifiedGpu) * UNIFIED_CPU_BANDWIDTH_FRACTION;
  // Most desktops today: dual-channel DDR5.
  return hostTable["ddr5-dual"] * GB;
}
