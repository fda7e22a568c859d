import { CHAT_EXPORT_FORMAT, CHAT_EXPORT_VERSION, type ChatExport } from "../../app/chat/export-format";
import type { Conversation } from "../../app/chat/types";
import { renderMarkdown } from "./export-markdown";
import { importChat } from "./import";
import type { ChatRepository } from "./repository";

/** The active branch as Markdown. */
export function exportMarkdown(repo: ChatRepository, conversationId: string): string {
  const conversation = repo.getConversation(conversationId);
  return renderMarkdown(conversation, repo.listBranchPath(conversationId));
}

/** The whole tree, every branch, as a versioned document. */
export function exportJson(repo: ChatRepository, conversationId: string): ChatExport {
  const { deletedAt: _deletedAt, ...conversation } = repo.getConversation(conversationId);
  const messages = repo.listMessages(conversationId).map(({ conversationId: _c, ...m }) => m);
  return {
    format: CHAT_EXPORT_FORMAT,
    version: CHAT_EXPORT_VERSION,
    exportedAt: repo.ctx.now(),
    conversation,
    messages,
  };
}

/** Imports a document from exportJson (an object or its JSON text) as a new conversation. */
export function importJson(repo: ChatRepository, document: unknown): Conversation {
  return importChat(repo.ctx, document);
}
