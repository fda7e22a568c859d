import { AppError } from "../../app/contract/errors";
import { ChatExportSchema, type ChatExport } from "../../app/chat/export-format";
import type { Conversation } from "../../app/chat/types";
import type { ChatContext } from "./context";
import { getConversation } from "./conversations";
import { parseInput } from "./validate";

type ExportedMessage = ChatExport["messages"][number];

function bad(message: string, details: Record<string, unknown>): AppError {
  return new AppError("bad_request", `Invalid chat export: ${message}`, details);
}

/** Parents before children; refuses duplicate ids, dangling parents and cycles. */
function treeOrder(messages: readonly ExportedMessage[]): ExportedMessage[] {
  const byId = new Map<string, ExportedMessage>();
  messages.forEach((m, index) => {
    if (byId.has(m.id)) throw bad("duplicate message id", { messageId: m.id, index });
    byId.set(m.id, m);
  });
  const children = new Map<string | null, ExportedMessage[]>();
  messages.forEach((m, index) => {
    if (m.parentId !== null && !byId.has(m.parentId)) {
      throw bad("a message's parent is missing", { messageId: m.id, parentId: m.parentId, index });
    }
    const list = children.get(m.parentId) ?? [];
    list.push(m);
    children.set(m.parentId, list);
  });
  // Breadth-first from the roots: whatever is not reached sits on a cycle.
  const ordered: ExportedMessage[] = [];
  ordered.push(...(children.get(null) ?? []));
  for (let i = 0; i < ordered.length; i++) {
    const m = ordered[i];
    if (m) for (const child of children.get(m.id) ?? []) ordered.push(child);
  }
  if (ordered.length !== messages.length) {
    const reached = new Set(ordered.map((m) => m.id));
    const onCycle = messages.filter((m) => !reached.has(m.id)).map((m) => m.id);
    throw bad("messages form a cycle", { messageIds: onCycle.slice(0, 20), count: onCycle.length });
  }
  return ordered;
}

function parseDocument(document: unknown): ChatExport {
  let value = document;
  if (typeof document === "string") {
    try {
      value = JSON.parse(document);
    } catch (error) {
      throw bad("not JSON", { reason: AppError.from(error).message });
    }
  }
  return parseInput(ChatExportSchema, value, "chat export");
}

/**
 * Imports a chat export as a new conversation with new ids, in one transaction:
 * a document that fails any check writes nothing. A message exported mid-stream
 * arrives interrupted.
 */
export function importChat(ctx: ChatContext, document: unknown): Conversation {
  const doc = parseDocument(document);
  const ordered = treeOrder(doc.messages);
  const leaf = doc.conversation.activeLeafId;
  if (leaf !== undefined && !ordered.some((m) => m.id === leaf)) {
    throw bad("the active leaf is not one of the messages", { activeLeafId: leaf });
  }

  try {
    return insertTree(ctx, doc, ordered);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("storage", `Could not import the conversation: ${AppError.from(error).message}`, {
      title: doc.conversation.title, messages: ordered.length,
    });
  }
}

function insertTree(ctx: ChatContext, doc: ChatExport, ordered: readonly ExportedMessage[]): Conversation {
  const leaf = doc.conversation.activeLeafId;
  return ctx.db.transaction(() => {
    const c = doc.conversation;
    const conversationId = ctx.newId();
    ctx
      .prepare(
        `INSERT INTO conversations (id, title, title_is_auto, pinned, kind, workspace, settings, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(conversationId, c.title, c.titleIsAuto ? 1 : 0, c.pinned ? 1 : 0, c.kind, c.workspace ?? null,
        JSON.stringify(c.settings), c.createdAt, c.updatedAt);
    const newIds = new Map<string, string>();
    const insert = ctx.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, tool_calls, tool_call_id,
         tool_name, status, error, stats, generation, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const m of ordered) {
      const id = ctx.newId();
      newIds.set(m.id, id);
      const parentId = m.parentId === null ? null : (newIds.get(m.parentId) ?? null);
      insert.run(id, conversationId, parentId, m.role, m.content, m.reasoning, JSON.stringify(m.toolCalls),
        m.toolCallId ?? null, m.toolName ?? null, m.status === "streaming" ? "interrupted" : m.status,
        m.error ?? null, m.stats ? JSON.stringify(m.stats) : null, m.generation ? JSON.stringify(m.generation) : null, m.createdAt, m.updatedAt);
    }
    if (leaf !== undefined) {
      ctx.prepare("UPDATE conversations SET active_leaf_id = ? WHERE id = ?").run(newIds.get(leaf) ?? null, conversationId);
    }
    return getConversation(ctx, conversationId);
  })();
}
