import { z } from "zod";
import { M2_SAMPLING_DEFAULTS, ParseErrorInfoSchema, ThinkingModeSchema } from "../contract/generation";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../m2/json-depth";

/**
 * Chat storage as the UI sees it: conversations and the message tree behind them.
 * Timestamps are milliseconds since the epoch.
 */

/** New conversations start on M2's official sampling. */
export const CHAT_SETTINGS_DEFAULTS = M2_SAMPLING_DEFAULTS;

export const ChatSettingsSchema = z
  .object({
    systemPrompt: z.string().max(200_000).optional(),
    temperature: z.number().min(0).max(5).default(CHAT_SETTINGS_DEFAULTS.temperature),
    topP: z.number().gt(0).max(1).default(CHAT_SETTINGS_DEFAULTS.topP),
    topK: z.number().int().min(0).max(1000).default(CHAT_SETTINGS_DEFAULTS.topK),
    maxTokens: z.number().int().min(1).max(1_048_576).optional(),
    /** A fixed sampling seed; unset: the engine picks one. Best-of-N attempts give each attempt its own. */
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    /** The thinking mode for a model whose family offers modes; unset: the family's default. Others ignore it. */
    thinking: ThinkingModeSchema.optional(),
  })
  .strict();
export type ChatSettings = z.output<typeof ChatSettingsSchema>;
export type ChatSettingsInput = z.input<typeof ChatSettingsSchema>;

export const ConversationKindSchema = z.enum(["chat", "agent"]);
export type ConversationKind = z.infer<typeof ConversationKindSchema>;

export const ConversationSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  /** True while the title is derived from the first user message; a rename clears it. */
  titleIsAuto: z.boolean(),
  pinned: z.boolean(),
  kind: ConversationKindSchema,
  workspace: z.string().optional(),
  settings: ChatSettingsSchema,
  createdAt: z.number().int(),
  /** Last message activity: what the history list sorts and groups by. */
  updatedAt: z.number().int(),
  /** Set while the conversation sits in the undo window before it is purged. */
  deletedAt: z.number().int().optional(),
  /** The leaf of the branch on screen. */
  activeLeafId: z.string().optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageRoleSchema = z.enum(["system", "user", "assistant", "tool"]);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

export const MessageStatusSchema = z.enum(["complete", "streaming", "stopped", "interrupted", "error"]);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const StoredToolCallSchema = z.object({
  id: z.string().min(1),
  /** Empty only for a call the parser could not name, which always has `error`. */
  name: z.string(),
  /** Bounded as the parser bounds them, so storing, sending or rendering a call never overflows the stack. */
  arguments: z
    .record(z.string(), z.unknown())
    .refine((args) => !exceedsJsonDepth(args, MAX_JSON_DEPTH + 1), `Tool call arguments nest deeper than ${MAX_JSON_DEPTH} levels`),
  /** Set when the parser flagged the call (cut off, unknown tool, too deep…): it is never run. */
  error: ParseErrorInfoSchema.optional(),
});
export type StoredToolCall = z.infer<typeof StoredToolCallSchema>;

export const MessageStatsSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  reusedTokens: z.number().int().nonnegative(),
  evaluatedTokens: z.number().int().nonnegative(),
  ttftMs: z.number().nonnegative(),
  prefillTps: z.number().nonnegative(),
  decodeTps: z.number().nonnegative(),
  generatedTokens: z.number().int().nonnegative(),
  totalMs: z.number().nonnegative(),
  reasoningMs: z.number().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type MessageStats = z.infer<typeof MessageStatsSchema>;

/** The model and settings an answer was generated with, recorded as it starts: shown on hover, kept in exports. */
export const MessageGenerationSchema = z
  .object({
    /** The GGUF's own name, else its file name. */
    model: z.string().max(4096),
    /** The family for people ("MiniMax-M2.5"). */
    family: z.string().max(200),
    quantization: z.string().max(200),
    contextSize: z.number().int().positive(),
    temperature: z.number().min(0).max(5),
    topP: z.number().gt(0).max(1),
    topK: z.number().int().min(0).max(1000),
    maxTokens: z.number().int().min(1).optional(),
  })
  .strict();
export type MessageGeneration = z.infer<typeof MessageGenerationSchema>;

/**
 * The typed error an answer failed with, its code and details (a context overflow's sizes and the context
 * to reload with): stored with the message, so the offer it makes is still there after a restart.
 */
export const MessageFailureSchema = z.object({ code: z.string().min(1).max(100), details: z.unknown().optional() }).strict();
export type MessageFailure = z.infer<typeof MessageFailureSchema>;

export const StoredMessageSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().min(1),
  /** Null for a root. Siblings (same parent) are alternative branches: edits and regenerations. */
  parentId: z.string().min(1).nullable(),
  role: MessageRoleSchema,
  content: z.string(),
  reasoning: z.string(),
  toolCalls: z.array(StoredToolCallSchema),
  toolCallId: z.string().optional(),
  toolName: z.string().optional(),
  status: MessageStatusSchema,
  error: z.string().optional(),
  failure: MessageFailureSchema.optional(),
  stats: MessageStatsSchema.optional(),
  generation: MessageGenerationSchema.optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

// ---- Inputs ----

export const TitleSchema = z.string().trim().min(1).max(500);

export const NewConversationSchema = z
  .object({
    /** Given a title, it is kept; without one the first user message names the conversation. */
    title: TitleSchema.optional(),
    kind: ConversationKindSchema.default("chat"),
    workspace: z.string().min(1).optional(),
    settings: ChatSettingsSchema.prefault({}),
  })
  .strict();
export type NewConversation = z.input<typeof NewConversationSchema>;

export const SettingsPatchSchema = z
  .object({
    /** null clears it. */
    systemPrompt: z.string().max(200_000).nullable().optional(),
    temperature: z.number().min(0).max(5).optional(),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().min(0).max(1000).optional(),
    maxTokens: z.number().int().min(1).max(1_048_576).nullable().optional(),
    /** null: back to the family's default. */
    thinking: ThinkingModeSchema.nullable().optional(),
  })
  .strict();
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;

export const NewMessageSchema = z
  .object({
    /** Omitted: under the active leaf. null: a new root. */
    parentId: z.string().min(1).nullable().optional(),
    role: MessageRoleSchema,
    content: z.string().default(""),
    reasoning: z.string().default(""),
    toolCalls: z.array(StoredToolCallSchema).default([]),
    toolCallId: z.string().min(1).optional(),
    toolName: z.string().min(1).optional(),
    status: MessageStatusSchema.default("complete"),
    error: z.string().optional(),
    stats: MessageStatsSchema.optional(),
    generation: MessageGenerationSchema.optional(),
  })
  .strict();
export type NewMessage = z.input<typeof NewMessageSchema>;

// ---- Outputs ----

export const SiblingInfoSchema = z.object({
  /** 0-based position among its siblings, in creation order: the UI shows index + 1 / count. */
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  ids: z.array(z.string()),
});
export type SiblingInfo = z.infer<typeof SiblingInfoSchema>;

export const BranchViewSchema = z.object({
  conversation: ConversationSchema,
  messages: z.array(z.object({ message: StoredMessageSchema, siblings: SiblingInfoSchema })),
  /** Messages of the branch before the first one here: a long conversation opens with its tail only. */
  olderCount: z.number().int().nonnegative(),
});

/** Which part of a branch to return: the last `limit` messages, or the `limit` before `beforeId`. */
export interface BranchWindow {
  limit?: number | undefined;
  beforeId?: string | undefined;
}
export type BranchView = z.infer<typeof BranchViewSchema>;

export const DayGroupIdSchema = z.enum(["pinned", "today", "yesterday", "previous7Days", "older"]);
export type DayGroupId = z.infer<typeof DayGroupIdSchema>;

export const ConversationGroupSchema = z.object({
  id: DayGroupIdSchema,
  label: z.string(),
  conversations: z.array(ConversationSchema),
});
export type ConversationGroup = z.infer<typeof ConversationGroupSchema>;

export const SearchHitSchema = z.object({
  conversationId: z.string(),
  conversationTitle: z.string(),
  messageId: z.string(),
  role: MessageRoleSchema,
  field: z.enum(["content", "reasoning"]),
  /** Matches wrapped in « and », cut text marked with …. */
  snippet: z.string(),
  /** Set when several versions of this message (its edits or regenerations) matched: shown as one hit, the best match. */
  versions: z.number().int().min(2).optional(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SEARCH_MARK_OPEN = "«";
export const SEARCH_MARK_CLOSE = "»";
