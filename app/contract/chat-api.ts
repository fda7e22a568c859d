import { z } from "zod";
import {
  BranchViewSchema,
  ConversationGroupSchema,
  ConversationSchema,
  SearchHitSchema,
  SettingsPatchSchema,
  StoredMessageSchema,
  TitleSchema,
} from "../chat/types";
import { ChatDefaultsSchema } from "../chat/presets";

/** The chat screen's part of the contract. Ids are opaque strings minted by the backend. */

const Id = z.string().min(1).max(64);
const ConversationRef = z.object({ conversationId: Id }).strict();
const Empty = z.object({});

/**
 * An answer being written, as of a chat.follow reply: its generation (whose later events continue the text) and its
 * thinking's time and token count as the window that started it counts them (null before any thinking).
 */
export const FollowedAnswerSchema = z.object({
  generationId: Id,
  message: StoredMessageSchema,
  thinking: z
    .object({
      ms: z.number().nonnegative(),
      tokens: z.number().int().nonnegative(),
      /** What an earlier run of a continued answer counted; the engine's later token counts add to it. */
      baseTokens: z.number().int().nonnegative(),
      ended: z.boolean(),
    })
    .nullable(),
});
export type FollowedAnswer = z.infer<typeof FollowedAnswerSchema>;

export const chatMethods = {
  "chat.list": { params: z.object({}).strict(), result: z.object({ groups: z.array(ConversationGroupSchema) }) },
  "chat.create": {
    params: z.object({ title: TitleSchema.optional(), systemPrompt: z.string().max(200_000).optional() }).strict(),
    result: ConversationSchema,
  },
  /** The active branch (or the one through `leafId`); `limit` and `beforeId` page it from the end. */
  /** The app-wide default system prompt (new conversations start with it) and the saved presets. */
  "chat.defaults": { params: z.object({}).strict(), result: ChatDefaultsSchema },
  "chat.saveDefaults": { params: ChatDefaultsSchema, result: ChatDefaultsSchema },
  "chat.get": {
    params: z
      .object({ conversationId: Id, leafId: Id.optional(), limit: z.number().int().min(1).max(100_000).optional(), beforeId: Id.optional() })
      .strict(),
    result: BranchViewSchema,
  },
  "chat.rename": { params: z.object({ conversationId: Id, title: TitleSchema }).strict(), result: ConversationSchema },
  "chat.pin": { params: z.object({ conversationId: Id, pinned: z.boolean() }).strict(), result: ConversationSchema },
  "chat.delete": { params: ConversationRef, result: z.object({ undoUntil: z.number() }) },
  "chat.restore": { params: ConversationRef, result: ConversationSchema },
  "chat.updateSettings": { params: z.object({ conversationId: Id, patch: SettingsPatchSchema }).strict(), result: ConversationSchema },
  /** Appends a user message under the active leaf (or `parentId`) and starts the answer. */
  "chat.send": {
    params: z.object({ conversationId: Id, content: z.string().min(1).max(1_000_000), parentId: Id.nullable().optional() }).strict(),
    result: z.object({ userMessage: StoredMessageSchema, assistantMessage: StoredMessageSchema, generationId: Id }),
  },
  /** A sibling of the user message with new text, answered anew; the old branch stays. */
  "chat.editAndResend": {
    params: z.object({ messageId: Id, content: z.string().min(1).max(1_000_000) }).strict(),
    result: z.object({ userMessage: StoredMessageSchema, assistantMessage: StoredMessageSchema, generationId: Id }),
  },
  /** A sibling of the assistant message, generated anew; the old answer stays. */
  "chat.regenerate": {
    params: z.object({ messageId: Id }).strict(),
    result: z.object({ assistantMessage: StoredMessageSchema, generationId: Id }),
  },
  /** Continues a stopped or interrupted answer into the same message, from where its reasoning or content got to. */
  "chat.continue": {
    params: z.object({ messageId: Id }).strict(),
    result: z.object({ assistantMessage: StoredMessageSchema, generationId: Id }),
  },
  /**
   * The generation writing a streaming answer and the answer as of this reply (null when none is writing it):
   * the generation's events after the reply continue that text, so a window opened mid-answer follows it live.
   */
  "chat.follow": {
    params: z.object({ messageId: Id }).strict(),
    result: FollowedAnswerSchema.nullable(),
  },
  "chat.stop": { params: ConversationRef, result: Empty },
  "chat.switchBranch": { params: z.object({ conversationId: Id, messageId: Id }).strict(), result: BranchViewSchema },
  "chat.deleteMessage": { params: z.object({ messageId: Id }).strict(), result: BranchViewSchema },
  "chat.search": {
    params: z.object({ query: z.string().max(500) }).strict(),
    result: z.object({ hits: z.array(SearchHitSchema) }),
  },
  "chat.export": {
    params: z.object({ conversationId: Id, format: z.enum(["markdown", "json"]) }).strict(),
    result: z.object({ filename: z.string(), mimeType: z.string(), content: z.string() }),
  },
  "chat.import": { params: z.object({ json: z.string().max(50_000_000) }).strict(), result: ConversationSchema },
  /** Tokens the conversation (plus a draft) takes in the loaded model's context. */
  "chat.countTokens": {
    params: z.object({ conversationId: Id.optional(), draft: z.string().max(1_000_000) }).strict(),
    result: z.object({ tokens: z.number().int(), contextSize: z.number().int().nullable() }),
  },
} as const;

export const chatEventSchemas = [
  /** A stored message changed: a flush of a streaming answer, or a state change. */
  z.object({
    type: z.literal("chat.message"),
    conversationId: z.string(),
    message: StoredMessageSchema,
    /** The generation writing this answer: any window can follow its tokens live from the start. */
    generationId: z.string().optional(),
  }),
  /** The conversation list changed (created, renamed, deleted, titled, …). */
  z.object({ type: z.literal("chat.conversations_changed") }),
] as const;
