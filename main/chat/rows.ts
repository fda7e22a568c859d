import { AppError } from "../../app/contract/errors";
import {
  ChatSettingsSchema,
  MessageFailureSchema,
  MessageGenerationSchema,
  MessageStatsSchema,
  StoredToolCallSchema,
  type Conversation,
  type MessageRole,
  type MessageStatus,
  type StoredMessage,
} from "../../app/chat/types";
import type { z } from "zod";

/** Rows as SQLite returns them; mapped to the domain types here and nowhere else. */
export interface ConversationRow {
  id: string;
  title: string;
  title_is_auto: number;
  pinned: number;
  kind: "chat" | "agent";
  workspace: string | null;
  settings: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  active_leaf_id: string | null;
}

export interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: MessageRole;
  content: string;
  reasoning: string;
  tool_calls: string;
  tool_call_id: string | null;
  tool_name: string | null;
  status: MessageStatus;
  error: string | null;
  stats: string | null;
  generation: string | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

/** JSON columns are checked on the way out too: a bad row is a storage fault, reported precisely. */
function parseJsonColumn<T>(schema: z.ZodType<T>, text: string, where: Record<string, string>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("storage", `Column ${where.column} holds invalid JSON`, where);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("storage", `Column ${where.column} does not match its schema`, {
      ...where,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return parsed.data;
}

const ToolCallsSchema = StoredToolCallSchema.array();

export function toConversation(row: ConversationRow): Conversation {
  const c: Conversation = {
    id: row.id,
    title: row.title,
    titleIsAuto: row.title_is_auto === 1,
    pinned: row.pinned === 1,
    kind: row.kind,
    settings: parseJsonColumn(ChatSettingsSchema, row.settings, { table: "conversations", column: "settings", id: row.id }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.workspace !== null) c.workspace = row.workspace;
  if (row.deleted_at !== null) c.deletedAt = row.deleted_at;
  if (row.active_leaf_id !== null) c.activeLeafId = row.active_leaf_id;
  return c;
}

export function toMessage(row: MessageRow): StoredMessage {
  const where = { table: "messages", id: row.id };
  const m: StoredMessage = {
    id: row.id,
    conversationId: row.conversation_id,
    parentId: row.parent_id,
    role: row.role,
    content: row.content,
    reasoning: row.reasoning,
    toolCalls: parseJsonColumn(ToolCallsSchema, row.tool_calls, { ...where, column: "tool_calls" }),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.tool_call_id !== null) m.toolCallId = row.tool_call_id;
  if (row.tool_name !== null) m.toolName = row.tool_name;
  if (row.error !== null) m.error = row.error;
  if (row.stats !== null) m.stats = parseJsonColumn(MessageStatsSchema, row.stats, { ...where, column: "stats" });
  if (row.generation !== null) m.generation = parseJsonColumn(MessageGenerationSchema, row.generation, { ...where, column: "generation" });
  if (row.failure !== null) m.failure = parseJsonColumn(MessageFailureSchema, row.failure, { ...where, column: "failure" });
  return m;
}
