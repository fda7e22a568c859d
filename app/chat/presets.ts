import { z } from "zod";

/** A saved preset: a system prompt, sampling and a context size, applied to a conversation in one go. */
export const ChatPresetSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    systemPrompt: z.string().max(200_000).optional(),
    temperature: z.number().min(0).max(5),
    topP: z.number().gt(0).max(1),
    topK: z.number().int().min(0).max(1000),
    maxTokens: z.number().int().min(1).max(1_048_576).optional(),
    /** The context to load the model with; unset: whatever is loaded. */
    contextSize: z.number().int().min(256).max(1_048_576).optional(),
  })
  .strict();
export type ChatPreset = z.infer<typeof ChatPresetSchema>;

/** App-wide chat defaults: the system prompt every new conversation starts with, and the saved presets (unique names). */
export const ChatDefaultsSchema = z
  .object({
    systemPrompt: z.string().max(200_000).optional(),
    presets: z
      .array(ChatPresetSchema)
      .max(200)
      .default([])
      .refine((presets) => new Set(presets.map((p) => p.name)).size === presets.length, "Two presets have the same name"),
  })
  .strict();
export type ChatDefaults = z.output<typeof ChatDefaultsSchema>;
