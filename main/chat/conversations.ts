import { AppError } from "../../app/contract/errors";
import { DEFAULT_TITLE } from "../../app/chat/title";
import {
  NewConversationSchema,
  SettingsPatchSchema,
  TitleSchema,
  type ChatSettings,
  type Conversation,
  type ConversationKind,
  type NewConversation,
  type SettingsPatch,
} from "../../app/chat/types";
import type { ChatContext } from "./context";
import { deleteConversationMessages } from "./tree-delete";
import { toConversation, type ConversationRow } from "./rows";
import { parseInput } from "./validate";

export function createConversation(ctx: ChatContext, input: NewConversation = {}): Conversation {
  const data = parseInput(NewConversationSchema, input, "new conversation");
  const now = ctx.now();
  const id = ctx.newId();
  ctx
    .prepare(
      `INSERT INTO conversations (id, title, title_is_auto, pinned, kind, workspace, settings, created_at, updated_at)
       VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)`,
    )
    .run(id, data.title ?? DEFAULT_TITLE, data.title ? 0 : 1, data.kind, data.workspace ?? null,
      JSON.stringify(data.settings), now, now);
  return getConversation(ctx, id);
}

/** Deleted conversations (in their undo window) are not found unless asked for. */
export function getConversation(ctx: ChatContext, id: string, options: { includeDeleted?: boolean } = {}): Conversation {
  const row = ctx.prepare("SELECT * FROM conversations WHERE id = ?").get(id) as ConversationRow | undefined;
  if (!row || (row.deleted_at !== null && !options.includeDeleted)) {
    throw new AppError("not_found", `No conversation ${id}`, { conversationId: id, deleted: row !== undefined });
  }
  return toConversation(row);
}

export function renameConversation(ctx: ChatContext, id: string, title: string): Conversation {
  const clean = parseInput(TitleSchema, title, "title");
  getConversation(ctx, id);
  ctx.prepare("UPDATE conversations SET title = ?, title_is_auto = 0 WHERE id = ?").run(clean, id);
  return getConversation(ctx, id);
}

/** An agent conversation's workspace moved (an attempt's copy is parked under its own name once it ends). */
export function moveWorkspace(ctx: ChatContext, id: string, workspace: string): Conversation {
  if (getConversation(ctx, id).workspace === undefined) throw new AppError("bad_request", "Only an agent conversation has a workspace", { conversationId: id });
  ctx.prepare("UPDATE conversations SET workspace = ? WHERE id = ?").run(workspace, id);
  return getConversation(ctx, id);
}

export function setPinned(ctx: ChatContext, id: string, pinned: boolean): Conversation {
  getConversation(ctx, id);
  ctx.prepare("UPDATE conversations SET pinned = ? WHERE id = ?").run(pinned ? 1 : 0, id);
  return getConversation(ctx, id);
}

export function updateSettings(ctx: ChatContext, id: string, patch: SettingsPatch): Conversation {
  const p = parseInput(SettingsPatchSchema, patch, "settings");
  const current = getConversation(ctx, id).settings;
  const next: ChatSettings = { ...current };
  if (p.temperature !== undefined) next.temperature = p.temperature;
  if (p.topP !== undefined) next.topP = p.topP;
  if (p.topK !== undefined) next.topK = p.topK;
  if (p.systemPrompt === null) delete next.systemPrompt;
  else if (p.systemPrompt !== undefined) next.systemPrompt = p.systemPrompt;
  if (p.maxTokens === null) delete next.maxTokens;
  else if (p.maxTokens !== undefined) next.maxTokens = p.maxTokens;
  if (p.thinking === null) delete next.thinking;
  else if (p.thinking !== undefined) next.thinking = p.thinking;
  ctx.prepare("UPDATE conversations SET settings = ? WHERE id = ?").run(JSON.stringify(next), id);
  return getConversation(ctx, id);
}

/** Soft delete: hidden from lists and search until restored or purged. */
export function softDeleteConversation(ctx: ChatContext, id: string): Conversation {
  getConversation(ctx, id);
  ctx.prepare("UPDATE conversations SET deleted_at = ? WHERE id = ?").run(ctx.now(), id);
  return getConversation(ctx, id, { includeDeleted: true });
}

export function restoreConversation(ctx: ChatContext, id: string): Conversation {
  getConversation(ctx, id, { includeDeleted: true });
  ctx.prepare("UPDATE conversations SET deleted_at = NULL WHERE id = ?").run(id);
  return getConversation(ctx, id);
}

/** Permanent. Works on live and soft-deleted conversations alike. */
export function purgeConversation(ctx: ChatContext, id: string): void {
  ctx.db.transaction(() => {
    getConversation(ctx, id, { includeDeleted: true });
    deleteConversationMessages(ctx, id);
    ctx.prepare("DELETE FROM conversations WHERE id = ?").run(id);
  })();
}

/** Purges every conversation deleted at least `undoWindowMs` ago; returns their ids. */
export function purgeExpired(ctx: ChatContext, undoWindowMs: number): string[] {
  const cutoff = ctx.now() - undoWindowMs;
  const ids = ctx
    .prepare("SELECT id FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ? ORDER BY deleted_at")
    .pluck()
    .all(cutoff) as string[];
  ctx.db.transaction(() => ids.forEach((id) => purgeConversation(ctx, id)))();
  return ids;
}

export function listLiveConversations(ctx: ChatContext, kind?: ConversationKind): Conversation[] {
  const rows = ctx
    .prepare(
      `SELECT * FROM conversations WHERE deleted_at IS NULL AND (@kind IS NULL OR kind = @kind)
       ORDER BY pinned DESC, updated_at DESC, id`,
    )
    .all({ kind: kind ?? null }) as ConversationRow[];
  return rows.map(toConversation);
}

/** Marks activity: the history list sorts by it. */
export function touchConversation(ctx: ChatContext, id: string): void {
  ctx.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?").run(ctx.now(), id);
}
