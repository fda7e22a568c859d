import { z } from "zod";

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
  /** Compared with the official MiniMax-M2 template. */
  chatTemplate: z.enum(["official", "modified", "missing"]),
  /** M2 features (thinking, tool calls) are on for the minimax-m2 arch or the M2 template. */
  isM2: z.boolean(),
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

export const LoadOptionsSchema = z
  .object({
    gpu: GpuChoiceSchema.default("auto"),
    contextSize: z.number().int().min(256).max(1_048_576).optional(),
    gpuLayers: z.number().int().min(0).max(1024).optional(),
    threads: z.number().int().min(1).max(512).optional(),
  })
  .strict();
export type LoadOptions = z.input<typeof LoadOptionsSchema>;

export const LoadedModelSchema = z.object({
  report: ModelReportSchema,
  backend: BackendInfoSchema,
  contextSize: z.number().int(),
  /** How prompts are built: the TS M2 renderer, or the GGUF's own (modified) template through Jinja. */
  promptFormat: z.enum(["m2-renderer", "embedded-template"]),
  loadedAt: z.number(),
});
export type LoadedModel = z.infer<typeof LoadedModelSchema>;
