import type { ChatContext } from "./context";

/*
 * Messages are deleted deepest first, one row at a time. Letting parent_id's
 * ON DELETE CASCADE do it recurses once per level, and SQLite stops at 1000
 * levels ("too many levels of trigger recursion"): a long agent run is deeper.
 */

function deleteInOrder(ctx: ChatContext, ids: readonly string[]): void {
  const del = ctx.prepare("DELETE FROM messages WHERE id = ?");
  for (const id of ids) del.run(id);
}

/** Deletes a message and everything under it; returns the deleted ids, deepest first. */
export function deleteSubtree(ctx: ChatContext, messageId: string): string[] {
  const ids = ctx
    .prepare(
      `WITH RECURSIVE sub(id, depth) AS (
         SELECT id, 0 FROM messages WHERE id = ?
         UNION ALL
         SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id
       )
       SELECT id FROM sub ORDER BY depth DESC`,
    )
    .pluck()
    .all(messageId) as string[];
  ctx.db.transaction(() => deleteInOrder(ctx, ids))();
  return ids;
}

export function deleteConversationMessages(ctx: ChatContext, conversationId: string): void {
  const ids = ctx
    .prepare(
      `WITH RECURSIVE sub(id, depth) AS (
         SELECT id, 0 FROM messages WHERE conversation_id = ? AND parent_id IS NULL
         UNION ALL
         SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id
       )
       SELECT id FROM sub ORDER BY depth DESC`,
    )
    .pluck()
    .all(conversationId) as string[];
  ctx.db.transaction(() => deleteInOrder(ctx, ids))();
}
