import { SEARCH_MARK_CLOSE, SEARCH_MARK_OPEN, type MessageRole, type SearchHit } from "../../app/chat/types";
import type { ChatContext } from "./context";
import { toFtsQuery } from "./fts-query";

export interface SearchOptions {
  /** Most messages returned (each gives up to two hits: content and reasoning). */
  limit?: number;
  conversationId?: string;
}

// Private-use markers tell a column that matched from one that did not; they become « » afterwards.
const OPEN = "\uE000";
const CLOSE = "\uE001";
const SNIPPET_TOKENS = 16;

interface HitRow {
  id: string;
  parent_id: string | null;
  conversation_id: string;
  title: string;
  role: MessageRole;
  content_snippet: string;
  reasoning_snippet: string;
}

/** Full-text search over message content and reasoning of live conversations, best matches first. */
export function searchMessages(ctx: ChatContext, query: string, options: SearchOptions = {}): SearchHit[] {
  const match = toFtsQuery(query);
  if (match === null) return [];
  const limit = Math.max(1, Math.min(options.limit ?? 50, 500));
  const rows = ctx
    .prepare(
      `SELECT m.id, m.parent_id, m.conversation_id, c.title, m.role,
         snippet(messages_fts, 0, @open, @close, '…', ${SNIPPET_TOKENS}) AS content_snippet,
         snippet(messages_fts, 1, @open, @close, '…', ${SNIPPET_TOKENS}) AS reasoning_snippet
       FROM messages_fts
       JOIN messages m ON m.seq = messages_fts.rowid
       JOIN conversations c ON c.id = m.conversation_id
       WHERE messages_fts MATCH @match AND c.deleted_at IS NULL
         AND (@conversationId IS NULL OR m.conversation_id = @conversationId)
       ORDER BY bm25(messages_fts), m.seq DESC
       LIMIT @limit`,
    )
    .all({ open: OPEN, close: CLOSE, match, conversationId: options.conversationId ?? null, limit }) as HitRow[];

  const hits: SearchHit[] = [];
  // The versions of one message (siblings of the same role: its edits and regenerations) are one hit, the best-ranked.
  const byVersion = new Map<string, SearchHit>();
  for (const row of rows) {
    for (const [field, snippet] of [["content", row.content_snippet], ["reasoning", row.reasoning_snippet]] as const) {
      if (!snippet.includes(OPEN)) continue;
      const key = JSON.stringify([row.conversation_id, row.parent_id, row.role, field]);
      const seen = byVersion.get(key);
      if (seen) {
        seen.versions = (seen.versions ?? 1) + 1;
        continue;
      }
      const hit: SearchHit = {
        conversationId: row.conversation_id,
        conversationTitle: row.title,
        messageId: row.id,
        role: row.role,
        field,
        snippet: snippet.replaceAll(OPEN, SEARCH_MARK_OPEN).replaceAll(CLOSE, SEARCH_MARK_CLOSE),
      };
      byVersion.set(key, hit);
      hits.push(hit);
    }
  }
  return hits;
}
