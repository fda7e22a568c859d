import { z } from "zod";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth";

/**
 * The wire shape of an M2 conversation: OpenAI chat format plus the fields
 * M2's chat template (resources/minimax-m2.jinja) reads: `reasoning_content`
 * on assistant messages, `current_date` / `current_location` on the system message.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
const JsonValueTreeSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValueTreeSchema),
    z.record(z.string(), JsonValueTreeSchema),
  ]),
);
/** The tree schema recurses per level: an iterative depth check first keeps it off deep input. */
export const JsonValueSchema: z.ZodType<JsonValue> = z
  .unknown()
  .refine((value) => !exceedsJsonDepth(value), `Nested deeper than ${MAX_JSON_DEPTH} levels`)
  .pipe(JsonValueTreeSchema);

/** A tool's parameters: every path that hands tools to the engine (chats, agents, MCP servers, the API) meets this bound. */
export const JsonSchemaSchema: z.ZodType<JsonSchema> = z
  .record(z.string(), z.unknown())
  .refine((value) => !exceedsJsonDepth(value), `Nested deeper than ${MAX_JSON_DEPTH} levels`);
export type JsonSchema = Record<string, unknown>;

const ToolFunctionFieldsSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  parameters: JsonSchemaSchema.optional(),
});
export type ToolFunction = z.infer<typeof ToolFunctionFieldsSchema>;

/**
 * A tool's `function`, rendered into the prompt as `tojson(function)`. Checked for the fields
 * the app reads, then kept exactly as the client sent it, key order and every key (OpenAI's
 * `strict`, …), since transformers renders the object it is given (issue 13).
 */
export const ToolFunctionSchema = z.custom<ToolFunction>().superRefine((value, ctx) => {
  const checked = ToolFunctionFieldsSchema.safeParse(value);
  for (const issue of checked.error?.issues ?? []) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  if (!checked.success) return;
  // `parameters` has its bound; the client's other keys meet the same one.
  for (const [key, field] of Object.entries(value)) {
    if (key !== "parameters" && exceedsJsonDepth(field)) {
      ctx.addIssue({ code: "custom", message: `Nested deeper than ${MAX_JSON_DEPTH} levels`, path: [key] });
    }
  }
});

export const ToolDefinitionSchema = z.object({
  type: z.literal("function").optional(),
  function: ToolFunctionSchema,
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

export const ToolCallSchema = z.object({
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.object({
    name: z.string(),
    /**
     * A JSON object, or a JSON string of one (OpenAI sends strings). The renderer
     * parses strings first (the template calls `.items()` on it); an empty string
     * means no arguments. Non-string values are rendered with `tojson`.
     */
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
  }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });
/** The template's `visible_text` keeps text parts and bare strings, in order. */
export const ContentPartSchema = z.union([TextPartSchema, z.string()]);
export const MessageContentSchema = z.union([z.string(), z.array(ContentPartSchema), z.null()]);
export type MessageContent = z.infer<typeof MessageContentSchema>;

/**
 * One item of a list-valued tool result. The template prints `item.output` if
 * present, else `item.text` of a text part, else the item itself (objects as JSON).
 * Loose objects so what the client sent is what gets rendered.
 */
export const ToolResultItemSchema = z.union([
  z.string(),
  z.looseObject({ output: JsonValueSchema }),
  z.looseObject({ type: z.literal("text"), text: z.string() }),
  z.record(z.string(), JsonValueSchema),
]);
export type ToolResultItem = z.infer<typeof ToolResultItemSchema>;
/** Not null: the template iterates non-string content, which fails on null. */
export const ToolContentSchema = z.union([z.string(), z.array(ToolResultItemSchema)]);
export type ToolContent = z.infer<typeof ToolContentSchema>;

/** An assistant message with the family's content shape; M2 and M3 share the rest. */
export function assistantMessageSchema<C extends z.ZodType>(content: C) {
  return z.object({
    role: z.literal("assistant"),
    content: content.optional(),
    /** When absent or null, the model's think block inside content is split out instead. */
    reasoning_content: z.string().nullable().optional(),
    tool_calls: z.array(ToolCallSchema).nullable().optional(),
  });
}

/** A tool result message; M2 and M3 share its shape. */
export const ToolMessageSchema = z.object({
  role: z.literal("tool"),
  content: ToolContentSchema,
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});

export const ChatMessageSchema = z.discriminatedUnion("role", [
  z.object({
    role: z.literal("system"),
    content: MessageContentSchema,
    /** Printed as "Current date: …" after the system text; only read on the first message. */
    current_date: z.string().optional(),
    current_location: z.string().optional(),
  }),
  z.object({ role: z.literal("user"), content: MessageContentSchema }),
  /** When reasoning_content is absent or null, `<think>…</think>` inside content is split out instead. */
  assistantMessageSchema(MessageContentSchema),
  ToolMessageSchema,
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const PromptRequestSchema = z.object({
  messages: z.array(ChatMessageSchema),
  tools: z.array(ToolDefinitionSchema).optional(),
  /**
   * Set on the system message (overriding its own fields); with no system
   * message, one is synthesized that carries only these fields, so the default
   * identity is used.
   */
  current_date: z.string().optional(),
  current_location: z.string().optional(),
  /** The template's `model_identity`: the system text used when there is no system content. */
  model_identity: z.string().optional(),
  /** Defaults to true: end with the assistant header and an open `<think>`. */
  add_generation_prompt: z.boolean().optional(),
});
export type PromptRequest = z.infer<typeof PromptRequestSchema>;
