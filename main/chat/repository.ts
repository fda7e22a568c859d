import { groupByDay } from "../../app/chat/day-groups";
import type {
  BranchWindow,
  BranchView,
  Conversation,
  ConversationGroup,
  ConversationKind,
  NewConversation,
  NewMessage,
  SearchHit,
  SettingsPatch,
  SiblingInfo,
  StoredMessage,
} from "../../app/chat/types";
import type { Db } from "../storage/database";
import * as branches from "./branches";
import { chatContext, type ChatContext, type ChatContextOptions } from "./context";
import * as conversations from "./conversations";
import * as messages from "./messages";
import { searchMessages, type SearchOptions } from "./search";

export interface ChatRepositoryOptions extends ChatContextOptions {
  /** How long a deleted conversation can be restored before purgeExpired removes it. */
  undoWindowMs?: number;
}

export const DEFAULT_UNDO_WINDOW_MS = 10_000;

/** Chat storage behind the chat screen: one object over the small modules that do the work. */
export class ChatRepository {
  readonly ctx: ChatContext;
  readonly undoWindowMs: number;

  constructor(db: Db, options: ChatRepositoryOptions = {}) {
    this.ctx = chatContext(db, options);
    this.undoWindowMs = options.undoWindowMs ?? DEFAULT_UNDO_WINDOW_MS;
  }

  // ---- Conversations ----

  createConversation(input: NewConversation = {}): Conversation {
    return conversations.createConversation(this.ctx, input);
  }

  getConversation(id: string, options: { includeDeleted?: boolean } = {}): Conversation {
    return conversations.getConversation(this.ctx, id, options);
  }

  /** A manual title: automatic titling stops for this conversation. */
  renameConversation(id: string, title: string): Conversation {
    return conversations.renameConversation(this.ctx, id, title);
  }

  setPinned(id: string, pinned: boolean): Conversation {
    return conversations.setPinned(this.ctx, id, pinned);
  }

  moveWorkspace(id: string, workspace: string): Conversation {
    return conversations.moveWorkspace(this.ctx, id, workspace);
  }

  updateSettings(id: string, patch: SettingsPatch): Conversation {
    return conversations.updateSettings(this.ctx, id, patch);
  }

  /** Soft delete; `purgeAt` is when purgeExpired will remove it for good. */
  deleteConversation(id: string): { conversation: Conversation; purgeAt: number } {
    const conversation = conversations.softDeleteConversation(this.ctx, id);
    return { conversation, purgeAt: (conversation.deletedAt ?? this.ctx.now()) + this.undoWindowMs };
  }

  restoreConversation(id: string): Conversation {
    return conversations.restoreConversation(this.ctx, id);
  }

  /** Removes a conversation (deleted or not) and all its messages now. */
  purgeConversation(id: string): void {
    conversations.purgeConversation(this.ctx, id);
  }

  /** Purges deleted conversations whose undo window has passed; returns their ids. */
  purgeExpired(): string[] {
    return conversations.purgeExpired(this.ctx, this.undoWindowMs);
  }

  /** Live conversations grouped Pinned / Today / Yesterday / Previous 7 days / Older, relative to `now`. */
  listConversations(options: { now: number | Date; kind?: ConversationKind }): ConversationGroup[] {
    const now = typeof options.now === "number" ? options.now : options.now.getTime();
    return groupByDay(conversations.listLiveConversations(this.ctx, options.kind), now);
  }

  // ---- Messages and branches ----

  appendMessage(conversationId: string, input: NewMessage): StoredMessage {
    return messages.insertMessage(this.ctx, conversationId, input);
  }

  getMessage(id: string): StoredMessage {
    return messages.getMessage(this.ctx, id);
  }

  /** Every message of every branch, in creation order. */
  listMessages(conversationId: string): StoredMessage[] {
    conversations.getConversation(this.ctx, conversationId, { includeDeleted: true });
    return messages.listAllMessages(this.ctx, conversationId);
  }

  editAndResend(messageId: string, content: string): StoredMessage {
    return branches.editAndResend(this.ctx, messageId, content);
  }

  regenerate(messageId: string): StoredMessage {
    return branches.regenerate(this.ctx, messageId);
  }

  /** Root→leaf; the leaf defaults to the active one (an empty conversation gives []). */
  listBranchPath(conversationId: string, leafId?: string): StoredMessage[] {
    const leaf = leafId ?? conversations.getConversation(this.ctx, conversationId).activeLeafId;
    return leaf === undefined ? [] : messages.branchPath(this.ctx, conversationId, leaf);
  }

  branchView(conversationId: string, leafId?: string, window?: BranchWindow): BranchView {
    return branches.branchView(this.ctx, conversationId, leafId, window);
  }

  siblings(messageId: string): SiblingInfo {
    return messages.siblingsOf(this.ctx, messageId);
  }

  setActiveLeaf(conversationId: string, messageId: string): StoredMessage[] {
    return branches.setActiveLeaf(this.ctx, conversationId, messageId);
  }

  deleteMessage(messageId: string): { deletedIds: string[]; activeLeafId: string | null } {
    return branches.deleteMessage(this.ctx, messageId);
  }

  // ---- Search ----

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return searchMessages(this.ctx, query, options);
  }
}
