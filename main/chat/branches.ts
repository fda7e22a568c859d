import { AppError } from "../../app/contract/errors";
import type { BranchView, BranchWindow, SiblingInfo, StoredMessage } from "../../app/chat/types";
import type { ChatContext } from "./context";
import { getConversation } from "./conversations";
import { branchPath, branchPathIds, getMessage, insertMessage, messagesByIds, newestLeaf, newestLeafUnder } from "./messages";
import { deleteSubtree } from "./tree-delete";

/*
 * Branches: messages form a tree through parent_id. An edit or a regeneration adds
 * a sibling (same parent) instead of overwriting, so every version stays reachable.
 * The conversation's active_leaf_id picks the branch on screen; the path is the
 * chain of parents from that leaf up to a root.
 */

function liveMessage(ctx: ChatContext, messageId: string, role: StoredMessage["role"], action: string): StoredMessage {
  const message = getMessage(ctx, messageId);
  getConversation(ctx, message.conversationId);
  if (message.role !== role) {
    throw new AppError("bad_request", `Only a ${role} message can be the target of ${action}`, {
      messageId, role: message.role, expected: role,
    });
  }
  return message;
}

/** A new user message beside `messageId` (same parent), now the active leaf; generate its answer under it. */
export function editAndResend(ctx: ChatContext, messageId: string, content: string): StoredMessage {
  return ctx.db.transaction(() => {
    const original = liveMessage(ctx, messageId, "user", "editAndResend");
    return insertMessage(ctx, original.conversationId, { parentId: original.parentId, role: "user", content });
  })();
}

/** An empty streaming assistant message beside `messageId`, now the active leaf: stream the new answer into it. */
export function regenerate(ctx: ChatContext, messageId: string): StoredMessage {
  return ctx.db.transaction(() => {
    const original = liveMessage(ctx, messageId, "assistant", "regenerate");
    return insertMessage(ctx, original.conversationId, {
      parentId: original.parentId, role: "assistant", status: "streaming",
    });
  })();
}

/**
 * Shows the branch through `messageId`: any message will do (a sibling picked in
 * the UI), the active leaf becomes the newest leaf below it. Returns that path.
 */
export function setActiveLeaf(ctx: ChatContext, conversationId: string, messageId: string): StoredMessage[] {
  return ctx.db.transaction(() => {
    getConversation(ctx, conversationId);
    const message = getMessage(ctx, messageId);
    if (message.conversationId !== conversationId) {
      throw new AppError("not_found", `No message ${messageId} in conversation ${conversationId}`, {
        conversationId, messageId,
      });
    }
    const leaf = newestLeafUnder(ctx, messageId);
    ctx.prepare("UPDATE conversations SET active_leaf_id = ? WHERE id = ?").run(leaf, conversationId);
    return branchPath(ctx, conversationId, leaf);
  })();
}

/** The path to `leafId` (default: the active leaf), each message with its "2/3" sibling position. */
export function branchView(ctx: ChatContext, conversationId: string, leafId?: string, window: BranchWindow = {}): BranchView {
  const conversation = getConversation(ctx, conversationId);
  const leaf = leafId ?? conversation.activeLeafId;
  if (leaf === undefined) return { conversation, messages: [], olderCount: 0 };
  const pathIds = branchPathIds(ctx, conversationId, leaf);
  let end = pathIds.length;
  if (window.beforeId !== undefined) {
    end = pathIds.indexOf(window.beforeId);
    if (end === -1) {
      throw new AppError("not_found", `Message ${window.beforeId} is not on this branch`, { conversationId, messageId: window.beforeId });
    }
  }
  const start = window.limit === undefined ? 0 : Math.max(0, end - window.limit);
  const path = messagesByIds(ctx, pathIds.slice(start, end));
  const children = new Map<string | null, string[]>();
  const rows = ctx
    .prepare("SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY seq")
    .all(conversationId) as { id: string; parent_id: string | null }[];
  for (const row of rows) {
    const list = children.get(row.parent_id) ?? [];
    list.push(row.id);
    children.set(row.parent_id, list);
  }
  return {
    conversation,
    messages: path.map((message) => {
      const ids = children.get(message.parentId) ?? [message.id];
      const siblings: SiblingInfo = { index: ids.indexOf(message.id), count: ids.length, ids };
      return { message, siblings };
    }),
    olderCount: start,
  };
}

/**
 * Deletes a message and its whole subtree. When the active branch went with it,
 * the view falls back to the newest remaining leaf under the parent (a sibling
 * branch, or the parent itself), else the newest leaf of the conversation.
 */
export function deleteMessage(ctx: ChatContext, messageId: string): { deletedIds: string[]; activeLeafId: string | null } {
  return ctx.db.transaction(() => {
    const message = getMessage(ctx, messageId);
    const conversation = getConversation(ctx, message.conversationId);
    const deletedIds = deleteSubtree(ctx, messageId);
    let activeLeafId = conversation.activeLeafId ?? null;
    if (activeLeafId === null || deletedIds.includes(activeLeafId)) {
      activeLeafId = message.parentId !== null
        ? newestLeafUnder(ctx, message.parentId)
        : newestLeaf(ctx, message.conversationId);
      ctx.prepare("UPDATE conversations SET active_leaf_id = ? WHERE id = ?").run(activeLeafId, message.conversationId);
    }
    return { deletedIds, activeLeafId };
  })();
}
