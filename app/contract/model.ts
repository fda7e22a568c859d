import { z } from "zod";
import { MODEL_FAMILY_IDS } from "../family/protocol";

/** What the engine reports about a GGUF before and after loading it. */
export const ModelReportSchema = z.object({
  path: z.string(),
  name: z.string().nullable(),
  architecture: z.string(),
  quantization: z.string(),
  parameterCount: z.number().nonnegative(),
  layerCount: z.number().int().nullable(),
  expertCount: z.number().int().nullable(),
  expertUsedCount: z.number().int().nullable(),
  contextLength: z.number().int().nullable(),
  embeddingLength: z.number().int().nullable(),
  headCount: z.number().int().nullable(),
  headCountKv: z.number().int().nullable(),
  fileSizeBytes: z.number().nonnegative(),
  parts: z.array(z.object({ path: z.string(), sizeBytes: z.number().nonnegative() })),
  /** Compared with the detected family's official template ("modified" when the app ships none to compare with). */
  chatTemplate: z.enum(["official", "modified", "missing"]),
  /** M2 features (thinking, tool calls) are on for the minimax-m2 arch or the M2 template. */
  isM2: z.boolean(),
  /** Which model this is (app/family detects it from the GGUF): "minimax-m2.5", …, or "unknown". */
  family: z.enum(MODEL_FAMILY_IDS),
  /** The family for people: "MiniMax-M2.5", "Unknown model". */
  familyName: z.string(),
});
export type ModelReport = z.infer<typeof ModelReportSchema>;

export const GpuChoiceSchema = z.enum(["auto", "cuda", "vulkan", "metal", "cpu"]);
export type GpuChoice = z.infer<typeof GpuChoiceSchema>;

export const BackendInfoSchema = z.object({
  backend: z.string(),
  devices: z.array(z.string()),
  vram: z.object({ total: z.number(), used: z.number(), free: z.number() }),
  ram: z.object({ total: z.number(), free: z.number() }),
  cpuThreads: z.number().int(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/** A raw tensor placement in llama.cpp's -ot sense: tensors whose name matches `pattern` (a regex) stay in RAM. */
export const OverridePatternSchema = z.object({ pattern: z.string().min(1).max(500), device: z.literal("cpu") }).strict();
export type OverridePattern = z.infer<typeof OverridePatternSchema>;

/**
 * Where the weights go. "auto": the planner's fastest placement that fits; "cpu-moe": the experts of the
 * first `layers` layers in RAM (llama.cpp --n-cpu-moe); "patterns": raw overrides; "layers": whole-layer offload.
 */
export const OffloadChoiceSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("auto") }).strict(),
  z.object({ mode: z.literal("cpu-moe"), layers: z.number().int().min(0).max(1024) }).strict(),
  z.object({ mode: z.literal("patterns"), patterns: z.array(OverridePatternSchema).min(1).max(64) }).strict(),
  z.object({ mode: z.literal("layers"), gpuLayers: z.number().int().min(0).max(1025) }).strict(),
]);
export type OffloadChoice = z.infer<typeof OffloadChoiceSchema>;

export const LoadOptionsSchema = z
  .object({
    gpu: GpuChoiceSchema.default("auto"),
    contextSize: z.number().int().min(256).max(1_048_576).optional(),
    /** Whole layers on the GPU; the same as `offload: {mode: "layers"}` (kept for older callers). */
    gpuLayers: z.number().int().min(0).max(1024).optional(),
    threads: z.number().int().min(1).max(512).optional(),
    /** Default {mode: "auto"}. */
    offload: OffloadChoiceSchema.optional(),
    /** Load a plan the planner refuses or one that would swap: the user confirmed it. */
    acceptRisk: z.boolean().optional(),
  })
  .strict();
export type LoadOptions = z.input<typeof LoadOptionsSchema>;

export const PlanModeSchema = z.enum(["gpu", "expert-offload", "layer-offload", "cpu"]);

/** The split a load applied, for the status bar and the model panel. */
export const AppliedOffloadSchema = z.object({
  mode: PlanModeSchema,
  /** Short, for the status bar: "GPU 62/62 · experts of 47 layers in RAM", "CPU only", "layer offload 30/62 (unpatched engine)". */
  split: z.string(),
  /** The plan's one line (memory, speed ceiling). */
  explanation: z.string(),
  /** llama.cpp n_gpu_layers as loaded. */
  gpuLayers: z.number().int(),
  /** Layers whose experts stay in RAM (0 when none, or when the engine fell back to layer offload). */
  ramExpertLayers: z.number().int(),
  /** Set when the plan wanted expert offload and the engine could not: what to do about it. */
  fallbackReason: z.string().optional(),
  /** The user loaded a plan that did not fit or that swaps. */
  risky: z.boolean(),
});
export type AppliedOffload = z.infer<typeof AppliedOffloadSchema>;

export const LoadedModelSchema = z.object({
  report: ModelReportSchema,
  backend: BackendInfoSchema,
  contextSize: z.number().int(),
  /** How prompts are built: the TS M2 renderer, or the GGUF's own (modified) template through Jinja. */
  promptFormat: z.enum(["m2-renderer", "embedded-template"]),
  loadedAt: z.number(),
  /** Where the weights went; absent from engines that predate the load planner. */
  offload: AppliedOffloadSchema.optional(),
});
export type LoadedModel = z.infer<typeof LoadedModelSchema>;

export const PlanParamsSchema = z
  .object({
    path: z.string().min(1).max(4096),
    gpu: GpuChoiceSchema.default("auto"),
    /** Default: the largest context that fits beside the placement planned at DEFAULT_PLAN_CONTEXT, up to the trained one. */
    contextSize: z.number().int().min(256).max(1_048_576).optional(),
    offload: OffloadChoiceSchema.optional(),
    /** Plan for another machine (free GPU memory and RAM in bytes; gpuVram 0: no GPU) instead of this engine's backend. */
    machine: z
      .object({ gpuVram: z.number().nonnegative().max(2 ** 50), ram: z.number().nonnegative().max(2 ** 50) })
      .strict()
      .optional(),
  })
  .strict();
export type PlanParams = z.input<typeof PlanParamsSchema>;

/** The context a default plan picks its placement at (the trained one when smaller); the context then grows to what fits beside it. */
export const DEFAULT_PLAN_CONTEXT = 32_768;

const MemoryUseSchema = z.object({
  label: z.string(),
  weights: z.number(),
  kvCache: z.number(),
  compute: z.number(),
  margin: z.number(),
  total: z.number(),
  available: z.number(),
});
export type PlanMemoryUse = z.infer<typeof MemoryUseSchema>;

/** The load planner's answer for one model on this machine's backend (app/planner LoadPlan, as data). */
export const LoadPlanViewSchema = z.object({
  model: z.object({ name: z.string(), quant: z.string(), bytes: z.number(), layers: z.number().int() }),
  backend: BackendInfoSchema,
  /** Planned for the `machine` the params gave, not this engine's backend: not what a load would do here. */
  hypothetical: z.boolean(),
  fits: z.boolean(),
  swaps: z.boolean(),
  mode: PlanModeSchema,
  source: z.enum(["auto", "n-cpu-moe", "gpu-layers", "patterns"]),
  gpuLayers: z.number().int(),
  gpuBlocks: z.number().int(),
  /** Layers whose experts stay in RAM (GPU layers only). */
  ramExpertLayers: z.number().int(),
  nCpuMoe: z.number().int().nullable(),
  overrides: z.array(z.object({ pattern: z.string(), device: z.literal("CPU") })),
  context: z.number().int(),
  maxContext: z.number().int(),
  groups: z.array(z.object({ group: z.string(), layers: z.string(), device: z.number().int(), tensors: z.number().int(), bytes: z.number() })),
  gpus: z.array(MemoryUseSchema),
  ram: MemoryUseSchema,
  speed: z.object({ tokPerSecEmpty: z.number(), tokPerSecAtContext: z.number() }),
  explanation: z.string(),
  warnings: z.array(z.string()),
  refusal: z.object({ message: z.string(), suggestions: z.array(z.object({ kind: z.string(), text: z.string() })) }).nullable(),
  /** Whether this engine can keep experts in RAM; else a GPU plan loads as whole layers (`message` says how to fix). */
  expertOffload: z.object({ supported: z.boolean(), message: z.string().optional() }),
});
export type LoadPlanView = z.infer<typeof LoadPlanViewSchema>;

/** A GGUF that passed validation but took the engine down while loading (llama.cpp aborted): kept until it loads. */
export const LoadFailureSchema = z.object({
  path: z.string(),
  /** What the engine printed last (its assert), else how it exited. */
  reason: z.string(),
  at: z.number(),
});
export type LoadFailure = z.infer<typeof LoadFailureSchema>;

/** This machine's RAM now, in bytes: available counts reclaimable page cache, as `free` does (used = total − available). */
export const SystemMemorySchema = z.object({ total: z.number().nonnegative(), available: z.number().nonnegative() });
export type SystemMemory = z.infer<typeof SystemMemorySchema>;
