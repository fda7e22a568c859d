import { z } from "zod";
import { ToolFunctionSchema } from "../m2/types";

/**
 * OpenAI's chat completions request as the local API server accepts it. Loose where clients
 * send extras (unknown keys pass through and are ignored); the request mapper refuses what
 * MiniMax-M2 cannot read (image or audio parts) with a 400 naming the part.
 */

/** A content part: text is read, any other type is refused by name. */
export const OpenAiContentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });
export const OpenAiContentSchema = z.union([z.string(), z.array(OpenAiContentPartSchema), z.null()]);

export const OpenAiToolCallSchema = z.looseObject({
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.looseObject({
    name: z.string().min(1),
    /** A JSON string (what OpenAI sends) or an object (what some clients send). */
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  }),
});

export const OpenAiMessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.enum(["system", "developer"]), content: OpenAiContentSchema }),
  z.looseObject({ role: z.literal("user"), content: OpenAiContentSchema }),
  z.looseObject({
    role: z.literal("assistant"),
    content: OpenAiContentSchema.optional(),
    /** M2's earlier reasoning, sent back so the next turn sees it (llama-server's and DeepSeek's field). */
    reasoning_content: z.string().nullable().optional(),
    tool_calls: z.array(OpenAiToolCallSchema).nullable().optional(),
  }),
  z.looseObject({ role: z.literal("tool"), content: OpenAiContentSchema, tool_call_id: z.string().optional(), name: z.string().optional() }),
]);
export type OpenAiMessage = z.infer<typeof OpenAiMessageSchema>;

export const OpenAiToolSchema = z.looseObject({
  type: z.literal("function"),
  /** Kept as the client sent it (key order, `strict` and any other key): the template renders it verbatim. */
  function: ToolFunctionSchema,
});
export type OpenAiTool = z.infer<typeof OpenAiToolSchema>;

export const OpenAiToolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
]);
export type OpenAiToolChoice = z.infer<typeof OpenAiToolChoiceSchema>;

const optionalNumber = z.number().nullable().optional();

export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().default(""),
  messages: z.array(OpenAiMessageSchema).min(1),
  tools: z.array(OpenAiToolSchema).nullable().optional(),
  tool_choice: OpenAiToolChoiceSchema.nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  /** How many choices: one generation at a time, so only 1 (llama-server refuses more too). */
  n: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  temperature: optionalNumber,
  top_p: optionalNumber,
  /** Not OpenAI's, but llama-server's and LM Studio's clients send it. */
  top_k: z.number().int().nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export type OpenAiFinishReason = "stop" | "length" | "tool_calls";

/**
 * OpenAI's Responses API (what Codex CLI speaks), stateless: the client sends the whole
 * conversation as input items each time (Codex does, with `store: false`).
 */
const ResponsesTextPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

export const ResponsesInputItemSchema = z.union([
  z.looseObject({
    type: z.literal("message").optional(),
    role: z.enum(["user", "system", "developer", "assistant"]),
    content: z.union([z.string(), z.array(ResponsesTextPartSchema)]),
  }),
  z.looseObject({ type: z.literal("function_call"), call_id: z.string(), name: z.string().min(1), arguments: z.string() }),
  z.looseObject({ type: z.literal("function_call_output"), call_id: z.string(), output: z.union([z.string(), z.array(ResponsesTextPartSchema)]) }),
  /** M2's earlier reasoning, as this server sent it: its text in `content` (and `summary`). */
  z.looseObject({
    type: z.literal("reasoning"),
    summary: z.array(ResponsesTextPartSchema).optional(),
    content: z.array(ResponsesTextPartSchema).nullable().optional(),
  }),
]);
export type ResponsesInputItem = z.infer<typeof ResponsesInputItemSchema>;

export const ResponsesToolSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ResponsesTool = z.infer<typeof ResponsesToolSchema>;

export const ResponsesRequestSchema = z.looseObject({
  model: z.string().default(""),
  input: z.union([z.string(), z.array(ResponsesInputItemSchema)]),
  instructions: z.string().nullable().optional(),
  tools: z.array(ResponsesToolSchema).nullable().optional(),
  tool_choice: z.union([z.enum(["auto", "none", "required"]), z.looseObject({ type: z.string(), name: z.string().optional() })]).nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  temperature: optionalNumber,
  top_p: optionalNumber,
  stream: z.boolean().nullable().optional(),
  /** No server-side state: the request mapper refuses one that points at an earlier response. */
  previous_response_id: z.string().nullable().optional(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;
