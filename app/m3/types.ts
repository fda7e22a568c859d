import { z } from "zod";
import { assistantMessageSchema, ToolDefinitionSchema, ToolMessageSchema } from "../m2/types";
import { M3_THINKING_MODES } from "./thinking";

/**
 * The wire shape of an M3 conversation: OpenAI chat format plus what MiniMax-M3.jinja reads.
 * Roles: `root` (only first: the high-priority system prompt), `system` / `developer` (the
 * first one after it: the developer prompt, shown under the tools), user, assistant, tool.
 * Tool definitions, tool calls and tool results are M2's shapes (app/m2/types.ts).
 */

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });
/** Media parts print as the image / video placeholder token; their payload is the engine's business. */
const ImagePartSchema = z.looseObject({ type: z.literal("image") });
const VideoPartSchema = z.looseObject({ type: z.literal("video") });
export const M3ContentPartSchema = z.union([TextPartSchema, ImagePartSchema, VideoPartSchema, z.string()]);
export const M3MessageContentSchema = z.union([z.string(), z.array(M3ContentPartSchema), z.null()]);
export type M3MessageContent = z.infer<typeof M3MessageContentSchema>;

export const M3ChatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("root"), content: M3MessageContentSchema }),
  z.object({ role: z.literal("system"), content: M3MessageContentSchema }),
  z.object({ role: z.literal("developer"), content: M3MessageContentSchema }),
  z.object({ role: z.literal("user"), content: M3MessageContentSchema }),
  /** When reasoning_content is absent or null, `<mm:think>…</mm:think>` inside content is split out instead. */
  assistantMessageSchema(M3MessageContentSchema),
  ToolMessageSchema,
]);
export type M3ChatMessage = z.infer<typeof M3ChatMessageSchema>;

export const M3PromptRequestSchema = z.object({
  messages: z.array(M3ChatMessageSchema),
  tools: z.array(ToolDefinitionSchema).optional(),
  /** The developer prompt used when there is no system/developer message with content. */
  model_identity: z.string().optional(),
  /** Unset renders as "adaptive" does. */
  thinking_mode: z.enum(M3_THINKING_MODES).optional(),
  /** Defaults to true: end with the assistant header and the thinking mode's prefill. */
  add_generation_prompt: z.boolean().optional(),
});
export type M3PromptRequest = z.infer<typeof M3PromptRequestSchema>;
