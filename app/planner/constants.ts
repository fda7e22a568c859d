/**
 * Memory and speed constants of the planner. Each is an estimate of llama.cpp's
 * behaviour (b6xxx+, as bundled with node-llama-cpp 3.21.1); the margins absorb the rest.
 */
import { GB, GiB, MiB } from "./units";

/** llama.cpp pads n_ctx to a multiple of 256 (llama-context.cpp), and the KV cache has n_ctx cells. */
export const CONTEXT_PAD = 256;

/** Default physical batch (n_ubatch): compute buffers are reserved for a batch of this many tokens. */
export const DEFAULT_UBATCH = 512;

/** Per GPU that holds layers: activations, MoE routing scratch and backend workspaces for one ubatch. */
export const GPU_COMPUTE_FIXED = 512 * MiB;

/** Host compute buffer (CPU-side activations, pinned staging for the GPU). */
export const CPU_COMPUTE_FIXED = 512 * MiB;

/** Kept free on each GPU for the driver context (CUDA ~300-500 MiB) and fragmentation: max(512 MiB, 3%). */
export const GPU_MARGIN_MIN = 512 * MiB;
export const GPU_MARGIN_FRACTION = 0.03;

/** RAM kept free for the OS, the app's own processes and page-cache churn; above it the plan swaps. */
export const RAM_RESERVE = 4 * GiB;

/** Metal's recommendedMaxWorkingSetSize is ~75% of RAM on large Macs. */
export const UNIFIED_WORKING_SET_FRACTION = 0.75;

/** On unified memory the CPU cores reach about half the bandwidth the GPU does. */
export const UNIFIED_CPU_BANDWIDTH_FRACTION = 0.5;

/** A shorter context is only offered if at least this long. */
export const MIN_USEFUL_CONTEXT = 4096;

/** Fallback when neither the user nor the device name tells us the GPU's bandwidth (bytes/s). */
export const DEFAULT_GPU_BANDWIDTH = 400 * GB;
