import type { PlannerTensor, TensorGroup } from "./tensors";

export type KvCacheType = "f16" | "q8_0" | "q4_0";

/**
 * llama_kv_cache_msa's indexer cache: blocks fromLayer..layers-1 hold one more head per token, K of
 * headDimK and V of headDimV. With flash attention (MSA on) a decoded token reads the indexer keys of
 * the whole context but the main K/V of only `selectedTokens` (top-k blocks × block size) there.
 */
export interface IndexerKvCache {
  readonly fromLayer: number;
  readonly headDimK: number;
  readonly headDimV: number;
  /** Indexer query heads: size MSA's score and mask tensors in the compute buffer. */
  readonly queryHeads: number;
  readonly selectedTokens: number;
}

/** What the planner needs to know about a GGUF. */
export interface PlannerModel {
  readonly name?: string;
  readonly quant?: string;
  readonly tensors: readonly PlannerTensor[];
  /** Repeating blocks (block_count). */
  readonly layers: number;
  readonly expertCount: number;
  readonly expertsUsed: number;
  /** Query heads: sizes the attention-score buffer when flash attention is off. */
  readonly heads: number;
  /** KV cache shape: `layers` blocks 0..layers-1 each hold K (kvHeads×headDimK) and V (kvHeads×headDimV) per token. */
  readonly kvCache: {
    readonly layers: number;
    readonly kvHeads: number;
    readonly headDimK: number;
    readonly headDimV: number;
    /** MiniMax Sparse Attention (minimax-m3): the indexer's own cache on top of the main one. */
    readonly indexer?: IndexerKvCache;
  };
  /** Sizes the logits buffer; omitted → 0. */
  readonly vocab?: number;
  /** Caps the context the plan offers. */
  readonly trainedContext?: number;
}

export interface GpuInfo {
  readonly name: string;
  /** Free VRAM in bytes as the backend reports it (on Metal: the recommended working set left). */
  readonly freeVram: number;
  /** Measured or user-given memory bandwidth, bytes/s; else a default by name (bandwidth.ts). */
  readonly bandwidth?: number;
}

export type HostMemoryKind = "ddr4-dual" | "ddr5-dual" | "ddr4-quad" | "ddr5-quad" | "ddr5-octa" | "lpddr5";

export interface HostInfo {
  readonly freeRam: number;
  readonly totalRam?: number;
  /** Measured or user-given CPU memory bandwidth, bytes/s. */
  readonly bandwidth?: number;
  readonly memoryKind?: HostMemoryKind;
  /** RAM kept free for the OS and the app itself; default RAM_RESERVE. */
  readonly reserve?: number;
  /** Apple Silicon (Metal): VRAM is RAM, there is one pool. */
  readonly unifiedMemory?: boolean;
  /** Unified only: overrides the GPU working-set limit (default: the device's reported free VRAM, else 75% of RAM). */
  readonly workingSetLimit?: number;
}

/** Overrides from the user: N for --n-cpu-moe, n_gpu_layers, or raw -ot patterns (advanced). */
export interface PlanOverride {
  readonly nCpuMoe?: number;
  /** llama.cpp n_gpu_layers: 0..layers+1, where layers+1 also puts the output layer on the GPU. */
  readonly gpuLayers?: number;
  /** `regex=CPU` (llama.cpp -ot syntax) or a bare regex, meaning CPU; first match wins. */
  readonly patterns?: readonly string[];
}

/** Another quant of the same model the user could download instead. */
export interface SiblingQuant {
  readonly quant: string;
  /** File size in bytes; tensors scale from the current quant when `tensors` is absent. */
  readonly bytes: number;
  readonly tensors?: readonly PlannerTensor[];
}

export interface PlanRequest {
  readonly model: PlannerModel;
  readonly context: number;
  readonly kvType?: KvCacheType;
  /** Default true (llama.cpp's "auto" turns it on for CUDA and Metal); off costs a KQ buffer per context token. */
  readonly flashAttention?: boolean;
  /** Physical batch; default 512 like llama.cpp. */
  readonly ubatch?: number;
  readonly gpus: readonly GpuInfo[];
  readonly host: HostInfo;
  readonly override?: PlanOverride;
  readonly siblings?: readonly SiblingQuant[];
}

export interface TensorBufferOverride {
  readonly pattern: string;
  readonly device: "CPU";
}

/** Device index: 0.. for GPUs, -1 for the CPU. */
export type DeviceIndex = number;
export const CPU: DeviceIndex = -1;

export interface GroupRow {
  readonly group: TensorGroup;
  /** "0-56", "57-61", "" for globals. */
  readonly layers: string;
  readonly device: DeviceIndex;
  readonly tensors: number;
  readonly bytes: number;
}

export interface MemoryUse {
  /** "GPU0 NVIDIA GeForce RTX 4090" or "RAM". */
  readonly label: string;
  readonly weights: number;
  readonly kvCache: number;
  /** Compute buffers: fixed + per-context-token + logits + op-offload staging. */
  readonly compute: number;
  /** Kept free: GPU driver/fragmentation margin, or the OS reserve for RAM. */
  readonly margin: number;
  /** weights + kvCache + compute (margin excluded). */
  readonly total: number;
  /** What the device has free (GPU working set on unified memory). */
  readonly available: number;
}

export interface SpeedEstimate {
  /** Weight bytes read per decoded token, per GPU and on the CPU side. */
  readonly gpuReadBytes: readonly number[];
  readonly cpuReadBytes: number;
  /** KV bytes read per token at the full planned context. */
  readonly kvReadBytesAtContext: number;
  readonly gpuBandwidth: readonly number[];
  readonly cpuBandwidth: number;
  /** Decode ceiling with an empty context and with the full planned context. */
  readonly tokPerSecEmpty: number;
  readonly tokPerSecAtContext: number;
}

export type Suggestion =
  | { readonly kind: "context"; readonly maxContext: number; readonly text: string }
  | { readonly kind: "kv-type"; readonly kvType: KvCacheType; readonly text: string }
  | { readonly kind: "quant"; readonly quant: string; readonly bytes: number; readonly tokPerSec: number; readonly text: string }
  | { readonly kind: "free-ram"; readonly bytes: number; readonly text: string }
  | { readonly kind: "auto-plan"; readonly nCpuMoe: number | null; readonly gpuLayers: number; readonly text: string };

export interface Refusal {
  readonly message: string;
  readonly suggestions: readonly Suggestion[];
}

export type PlanMode = "gpu" | "expert-offload" | "layer-offload" | "cpu";

export interface LoadPlan {
  readonly model: { readonly name: string; readonly quant: string; readonly bytes: number; readonly layers: number };
  readonly fits: boolean;
  /** RAM use above free RAM minus the reserve: it loads, but the OS will page. */
  readonly swaps: boolean;
  readonly mode: PlanMode;
  readonly source: "auto" | "n-cpu-moe" | "gpu-layers" | "patterns";
  readonly unifiedMemory: boolean;
  /** False: load on the CPU backend (no GPU, or too little VRAM even for compute buffers). */
  readonly gpuBackend: boolean;
  /** llama.cpp n_gpu_layers (layers+1 = all blocks and the output layer). */
  readonly gpuLayers: number;
  /** Blocks whose attention (and KV) is on a GPU. */
  readonly gpuBlocks: number;
  /** Device of each block's attention and KV cache. */
  readonly layerDevices: readonly DeviceIndex[];
  /** Blocks whose expert tensors stay in RAM (all CPU blocks included). */
  readonly cpuExpertLayers: readonly number[];
  /** Same placement as `--n-gpu-layers gpuLayers --n-cpu-moe N`, or null when it has no such form. */
  readonly nCpuMoe: number | null;
  readonly overrides: readonly TensorBufferOverride[];
  /** Fractions of layers per GPU, as llama.cpp's default tensor_split (free VRAM). */
  readonly tensorSplit: readonly number[];
  readonly context: number;
  readonly kvType: KvCacheType;
  readonly flashAttention: boolean;
  /** The longest context this placement allows (multiple of 256, capped at the trained context). */
  readonly maxContext: number;
  readonly groups: readonly GroupRow[];
  readonly gpus: readonly MemoryUse[];
  readonly ram: MemoryUse;
  readonly speed: SpeedEstimate;
  readonly explanation: string;
  readonly warnings: readonly string[];
  readonly refusal: Refusal | null;
}
