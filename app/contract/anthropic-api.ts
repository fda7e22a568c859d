import { z } from "zod";

/**
 * Anthropic's Messages request as the local API server accepts it. Loose where clients send
 * extras (Claude Code sends cache_control, metadata, thinking config: ignored); the request
 * mapper refuses what MiniMax-M2 cannot read (image or document blocks) with a 400 naming the block.
 */

export const AnthropicTextBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

/** Any block: the mapper reads text, thinking, tool_use and tool_result, drops redacted thinking, refuses the rest by name. */
export const AnthropicBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});
export type AnthropicBlock = z.infer<typeof AnthropicBlockSchema>;

/** `system` is no Messages API role, but Claude Code sends its environment notes as a system message after the first user turn. */
export const AnthropicMessageSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(AnthropicBlockSchema)]),
});
export type AnthropicMessage = z.infer<typeof AnthropicMessageSchema>;

export const AnthropicToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});
export type AnthropicTool = z.infer<typeof AnthropicToolSchema>;

export const AnthropicToolChoiceSchema = z.looseObject({
  type: z.enum(["auto", "any", "tool", "none"]),
  name: z.string().optional(),
  /** One tool_use block at most. */
  disable_parallel_tool_use: z.boolean().optional(),
});

const CountTokensShape = {
  model: z.string().default(""),
  messages: z.array(AnthropicMessageSchema).min(1),
  system: z.union([z.string(), z.array(AnthropicTextBlockSchema)]).optional(),
  tools: z.array(AnthropicToolSchema).optional(),
  tool_choice: AnthropicToolChoiceSchema.optional(),
};

export const AnthropicCountTokensRequestSchema = z.looseObject(CountTokensShape);

export const AnthropicMessagesRequestSchema = z.looseObject({
  ...CountTokensShape,
  max_tokens: z.number().int().positive(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  stream: z.boolean().optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequestSchema>;
export type AnthropicCountTokensRequest = z.infer<typeof AnthropicCountTokensRequestSchema>;

export type AnthropicStopReason = "end_turn" | "max_tokens" | "tool_use" | "stop_sequence";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}
