import { AppError } from "../../app/contract/errors";
import { autoTitle } from "../../app/chat/title";
import { NewMessageSchema, type NewMessage, type SiblingInfo, type StoredMessage } from "../../app/chat/types";
import type { ChatContext } from "./context";
import { getConversation, touchConversation } from "./conversations";
import { toMessage, type MessageRow } from "./rows";
import { parseInput } from "./validate";

export function getMessage(ctx: ChatContext, id: string): StoredMessage {
  const row = ctx.prepare("SELECT * FROM messages WHERE id = ?").get(id) as MessageRow | undefined;
  if (!row) throw new AppError("not_found", `No message ${id}`, { messageId: id });
  return toMessage(row);
}

/**
 * Appends a message under `parentId` (default: the active leaf; null: a new root)
 * and makes it the active leaf. The first user message of a branch names a
 * conversation whose title is still automatic.
 */
export function insertMessage(ctx: ChatContext, conversationId: string, input: NewMessage): StoredMessage {
  const data = parseInput(NewMessageSchema, input, "message");
  return ctx.db.transaction(() => {
    const conversation = getConversation(ctx, conversationId);
    const parentId = data.parentId === undefined ? (conversation.activeLeafId ?? null) : data.parentId;
    if (parentId !== null) {
      const parent = getMessage(ctx, parentId);
      if (parent.conversationId !== conversationId) {
        throw new AppError("bad_request", "The parent message belongs to another conversation", {
          conversationId, parentId, parentConversationId: parent.conversationId,
        });
      }
    }
    const now = ctx.now();
    const id = ctx.newId();
    ctx
      .prepare(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, tool_calls, tool_call_id,
           tool_name, status, error, stats, generation, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, conversationId, parentId, data.role, data.content, data.reasoning, JSON.stringify(data.toolCalls),
        data.toolCallId ?? null, data.toolName ?? null, data.status, data.error ?? null,
        data.stats ? JSON.stringify(data.stats) : null, data.generation ? JSON.stringify(data.generation) : null, now, now);
    ctx.prepare("UPDATE conversations SET active_leaf_id = ? WHERE id = ?").run(id, conversationId);
    touchConversation(ctx, conversationId);
    if (data.role === "user" && conversation.titleIsAuto && !hasUserAncestor(ctx, parentId)) {
      ctx.prepare("UPDATE conversations SET title = ? WHERE id = ?").run(autoTitle(data.content), conversationId);
    }
    return getMessage(ctx, id);
  })();
}

/** Walks up only until the first user message, so it stays short in long conversations. */
function hasUserAncestor(ctx: ChatContext, parentId: string | null): boolean {
  if (parentId === null) return false;
  return ctx
    .prepare(
      `WITH RECURSIVE up(id, parent_id, role) AS (
         SELECT id, parent_id, role FROM messages WHERE id = ?
         UNION ALL
         SELECT m.id, m.parent_id, m.role FROM messages m JOIN up ON m.id = up.parent_id WHERE up.role <> 'user'
       )
       SELECT EXISTS (SELECT 1 FROM up WHERE role = 'user')`,
    )
    .pluck()
    .get(parentId) === 1;
}

/** Root→leaf. */
/** The ids root→leaf, without reading any message text: cheap even for thousands of messages. */
export function branchPathIds(ctx: ChatContext, conversationId: string, leafId: string): string[] {
  const ids = ctx
    .prepare(
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM messages WHERE id = ? AND conversation_id = ?
         UNION ALL
         SELECT m.id, m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.parent_id
       )
       SELECT id FROM up ORDER BY depth DESC`,
    )
    .pluck()
    .all(leafId, conversationId) as string[];
  if (ids.length === 0) {
    throw new AppError("not_found", `No message ${leafId} in conversation ${conversationId}`, { conversationId, messageId: leafId });
  }
  return ids;
}

/** These messages, in the order given. */
export function messagesByIds(ctx: ChatContext, ids: readonly string[]): StoredMessage[] {
  if (ids.length === 0) return [];
  const rows = ctx
    .prepare("SELECT m.* FROM json_each(?) AS j JOIN messages m ON m.id = j.value ORDER BY j.key")
    .all(JSON.stringify(ids)) as MessageRow[];
  return rows.map(toMessage);
}

export function branchPath(ctx: ChatContext, conversationId: string, leafId: string): StoredMessage[] {
  return messagesByIds(ctx, branchPathIds(ctx, conversationId, leafId));
}

/** Messages sharing this message's parent (roots share the null parent), in creation order. */
export function siblingsOf(ctx: ChatContext, messageId: string): SiblingInfo {
  const message = getMessage(ctx, messageId);
  const ids = ctx
    .prepare("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY seq")
    .pluck()
    .all(message.conversationId, message.parentId) as string[];
  return { index: ids.indexOf(messageId), count: ids.length, ids };
}

/** The most recently created leaf at or below `messageId`: where switching to that branch lands. */
export function newestLeafUnder(ctx: ChatContext, messageId: string): string {
  const id = ctx
    .prepare(
      `WITH RECURSIVE sub(id) AS (
         SELECT id FROM messages WHERE id = ?
         UNION ALL
         SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id
       )
       SELECT m.id FROM sub JOIN messages m ON m.id = sub.id
       WHERE NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_id = m.id)
       ORDER BY m.seq DESC LIMIT 1`,
    )
    .pluck()
    .get(messageId) as string | undefined;
  if (id === undefined) throw new AppError("not_found", `No message ${messageId}`, { messageId });
  return id;
}

/** The newest leaf of the whole conversation, or null when it has no messages. */
export function newestLeaf(ctx: ChatContext, conversationId: string): string | null {
  const id = ctx
    .prepare(
      `SELECT m.id FROM messages m WHERE m.conversation_id = ?
         AND NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_id = m.id)
       ORDER BY m.seq DESC LIMIT 1`,
    )
    .pluck()
    .get(conversationId) as string | undefined;
  return id ?? null;
}

/** Every message of every branch, in creation order (parents before children). */
export function listAllMessages(ctx: ChatContext, conversationId: string): StoredMessage[] {
  const rows = ctx
    .prepare("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq")
    .all(conversationId) as MessageRow[];
  return rows.map(toMessage);
}
