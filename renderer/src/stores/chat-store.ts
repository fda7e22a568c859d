import { create } from "zustand";
import type { BranchView, Conversation, SettingsPatch, StoredMessage } from "../../../app/chat/types";
import { client } from "../client/client-instance";
import { upsertMessage, type ViewItem } from "../chat/branch";
import { continuedLiveAnswer } from "../chat/live-answer";
import { errorMessage } from "../lib/errors";
import { useStreamStore } from "./stream-store";
import { toastError } from "./toast-store";

export interface MessageFocus {
  messageId: string;
  field: "content" | "reasoning";
  /** A new jump to the same message scrolls again. */
  nonce: number;
}

interface ChatState {
  /** null: a new chat, created on the first send. */
  conversationId: string | null;
  conversation: Conversation | null;
  items: ViewItem[];
  /** Messages of the branch before `items[0]` not fetched yet (a long conversation opens with its tail). */
  olderCount: number;
  loading: boolean;
  loadError: string | null;
  /** The user's text between pressing Enter and the backend storing it. */
  pendingUser: string | null;
  focus: MessageFocus | null;
  /** `leafId`: a message to show, switching to its branch if it is not on the one on screen. */
  open(conversationId: string | null, options?: { leafId?: string; focus?: Omit<MessageFocus, "nonce"> }): Promise<void>;
  reload(): Promise<void>;
  /** Fetches the page before the first message on screen. */
  loadOlder(): Promise<void>;
  send(text: string): Promise<boolean>;
  editAndResend(messageId: string, text: string): Promise<boolean>;
  regenerate(messageId: string): Promise<void>;
  /** Continues a stopped answer into the same message. */
  continueAnswer(message: StoredMessage): Promise<void>;
  switchBranch(messageId: string): Promise<void>;
  deleteMessage(messageId: string): Promise<void>;
  stop(): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<void>;
  start(): () => void;
}

let openToken = 0;
let nonce = 0;
let loadingOlder = false;

/** Enough rows to fill a tall window several times: the first paint never waits for the whole history. */
const TAIL_PAGE = 60;
const OLDER_PAGE = 200;

/**
 * The last few conversations left, shown at once when reopened while chat.get
 * refreshes them: switching between recent chats does not wait for the backend.
 * A chat.message for one of them drops its copy.
 */
const recentViews = new Map<string, { conversation: Conversation | null; items: ViewItem[]; olderCount: number }>();
const RECENT_VIEWS = 4;

function remember(conversationId: string | null, conversation: Conversation | null, items: ViewItem[], olderCount: number) {
  if (!conversationId || items.length === 0) return;
  recentViews.delete(conversationId);
  recentViews.set(conversationId, { conversation, items, olderCount });
  for (const key of [...recentViews.keys()].slice(0, Math.max(0, recentViews.size - RECENT_VIEWS))) recentViews.delete(key);
}

/** The conversation on screen: its branch, fed by chat.message events and the results of chat.* calls. */
export const useChatStore = create<ChatState>((set, get) => {
  const applyView = (view: BranchView) => {
    if (view.conversation.id !== get().conversationId) return;
    set({ conversation: view.conversation, items: view.messages, olderCount: view.olderCount, loading: false, loadError: null });
  };

  const upsert = (messages: StoredMessage[]) => {
    let items = get().items;
    for (const m of messages) {
      const next = upsertMessage(items, m);
      // An answer whose question is not on screen yet: chat.send's result brings both.
      if (!next) return get().pendingUser === null ? void get().reload() : undefined;
      items = next;
    }
    set({ items });
  };

  const answerStarted = (result: { assistantMessage: StoredMessage; generationId: string; userMessage?: StoredMessage }) => {
    useStreamStore.getState().link(result.assistantMessage.id, result.generationId);
    upsert(result.userMessage ? [result.userMessage, result.assistantMessage] : [result.assistantMessage]);
  };

  /** Re-reads the last few stored messages: enough to follow a stream, cheap in a long conversation. */
  const refreshTail = async () => {
    const conversationId = get().conversationId;
    if (!conversationId) return;
    try {
      const view = await client().call("chat.get", { conversationId, limit: 4 });
      if (view.conversation.id === get().conversationId) upsert(view.messages.map((i) => i.message));
    } catch {
      // The next tick tries again; a lost connection reloads on reconnect.
    }
  };

  return {
    conversationId: null,
    conversation: null,
    items: [],
    olderCount: 0,
    loading: false,
    loadError: null,
    pendingUser: null,
    focus: null,

    async open(conversationId, options = {}) {
      const token = ++openToken;
      performance.mark("m2d:open-conversation");
      const previous = get();
      const same = conversationId === previous.conversationId;
      if (!same) remember(previous.conversationId, previous.conversation, previous.items, previous.olderCount);
      const cached = !same && conversationId ? recentViews.get(conversationId) : undefined;
      set({
        conversationId,
        ...(same ? {} : { conversation: cached?.conversation ?? null, items: cached?.items ?? [], olderCount: cached?.olderCount ?? 0, pendingUser: null }),
        loading: conversationId !== null,
        loadError: null,
        focus: options.focus ? { ...options.focus, nonce: ++nonce } : null,
      });
      writeHash(conversationId);
      if (!conversationId) return;
      try {
        // A jump to a message may land anywhere in the history: fetch the whole branch then.
        const whole = options.leafId !== undefined || options.focus !== undefined;
        let view = await client().call("chat.get", { conversationId, ...(whole ? {} : { limit: TAIL_PAGE }) });
        performance.measure("m2d:chat-get", "m2d:open-conversation");
        // A hit off the branch on screen: make its branch the active one (not chat.get's leafId,
        // which would cut the view at the hit while a send still went to the old leaf).
        const target = options.leafId;
        if (target && !view.messages.some((m) => m.message.id === target)) {
          view = await client().call("chat.switchBranch", { conversationId, messageId: target });
        }
        if (token === openToken) applyView(view);
      } catch (error) {
        if (token === openToken) set({ loading: false, loadError: errorMessage(error) });
      }
    },

    async reload() {
      const { conversationId, items, olderCount } = get();
      if (!conversationId) return;
      try {
        // The same window as on screen (plus room for new messages), never less than the first page.
        const limit = olderCount === 0 && items.length > 0 ? undefined : Math.max(TAIL_PAGE, items.length + 8);
        applyView(await client().call("chat.get", { conversationId, ...(limit ? { limit } : {}) }));
      } catch (error) {
        set({ loadError: errorMessage(error) });
      }
    },

    async loadOlder() {
      const { conversationId, items, olderCount } = get();
      const first = items[0]?.message.id;
      if (!conversationId || !first || olderCount === 0 || loadingOlder) return;
      loadingOlder = true;
      try {
        const view = await client().call("chat.get", { conversationId, beforeId: first, limit: OLDER_PAGE });
        // Only if the screen still starts where this page ends.
        if (get().conversationId === conversationId && get().items[0]?.message.id === first) {
          set({ items: [...view.messages, ...get().items], olderCount: view.olderCount });
        }
      } catch (error) {
        toastError(`Could not load older messages: ${errorMessage(error)}`);
      } finally {
        loadingOlder = false;
      }
    },

    async send(text) {
      set({ pendingUser: text });
      try {
        let conversationId = get().conversationId;
        if (!conversationId) {
          const conversation = await client().call("chat.create", {});
          conversationId = conversation.id;
          ++openToken;
          set({ conversationId, conversation, items: [], olderCount: 0 });
          writeHash(conversationId);
        }
        const result = await client().call("chat.send", { conversationId, content: text });
        set({ pendingUser: null });
        answerStarted(result);
        return true;
      } catch (error) {
        set({ pendingUser: null });
        toastError(errorMessage(error));
        void get().reload();
        return false;
      }
    },

    async editAndResend(messageId, text) {
      try {
        answerStarted(await client().call("chat.editAndResend", { messageId, content: text }));
        return true;
      } catch (error) {
        toastError(`Could not resend: ${errorMessage(error)}`);
        void get().reload();
        return false;
      }
    },

    async regenerate(messageId) {
      try {
        answerStarted(await client().call("chat.regenerate", { messageId }));
      } catch (error) {
        toastError(`Could not regenerate: ${errorMessage(error)}`);
        void get().reload();
      }
    },

    async continueAnswer(message) {
      try {
        const result = await client().call("chat.continue", { messageId: message.id });
        useStreamStore.getState().seed(continuedLiveAnswer(result.generationId, message, Date.now()));
        answerStarted(result);
      } catch (error) {
        toastError(`Could not continue: ${errorMessage(error)}`);
        void get().reload();
      }
    },

    async switchBranch(messageId) {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        applyView(await client().call("chat.switchBranch", { conversationId, messageId }));
      } catch (error) {
        toastError(`Could not switch branch: ${errorMessage(error)}`);
      }
    },

    async deleteMessage(messageId) {
      try {
        applyView(await client().call("chat.deleteMessage", { messageId }));
      } catch (error) {
        toastError(`Could not delete the message: ${errorMessage(error)}`);
      }
    },

    async stop() {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        await client().call("chat.stop", { conversationId });
      } catch (error) {
        toastError(`Could not stop: ${errorMessage(error)}`);
      }
    },

    async updateSettings(patch) {
      const conversationId = get().conversationId;
      if (!conversationId) return;
      try {
        const conversation = await client().call("chat.updateSettings", { conversationId, patch });
        if (conversation.id === get().conversationId) set({ conversation });
      } catch (error) {
        toastError(`Could not save the settings: ${errorMessage(error)}`);
      }
    },

    start() {
      const off = client().onEvent((event) => {
        if (event.type !== "chat.message") return;
        // Published before the first token: following it from here misses nothing (an agent step, another window's send).
        if (event.generationId && event.message.status === "streaming") useStreamStore.getState().link(event.message.id, event.generationId);
        if (event.conversationId === get().conversationId) upsert([event.message]);
        else recentViews.delete(event.conversationId);
      });
      const offConnection = client().onConnection((state) => {
        if (state === "open") void get().reload();
      });
      // A stream this window did not start (another window, or one running before a reload) has no
      // generation id here: chat.follow gives it with the text so far, and the live tokens go on from there;
      // one the backend no longer writes is followed by re-reading the stored message.
      const followed = new Set<string>();
      const unlinkedStreams = () => {
        const linked = useStreamStore.getState().generationOf;
        return get().items.filter((i) => i.message.status === "streaming" && !linked[i.message.id]);
      };
      // Asked once per message, as soon as it is seen.
      const followNew = () => {
        for (const { message } of unlinkedStreams()) {
          if (followed.has(message.id)) continue;
          followed.add(message.id);
          void client()
            .call("chat.follow", { messageId: message.id })
            .then((live) => live && useStreamStore.getState().adopt(message.id, continuedLiveAnswer(live.generationId, live.message, Date.now(), live.thinking)))
            .catch(() => undefined);
        }
      };
      const unsubscribeItems = useChatStore.subscribe((s, previous) => {
        if (s.items !== previous.items) followNew();
      });
      const poll = setInterval(() => {
        followNew();
        if (unlinkedStreams().some((i) => followed.has(i.message.id))) void refreshTail();
      }, 1000);
      return () => {
        off();
        offConnection();
        unsubscribeItems();
        clearInterval(poll);
      };
    },
  };
});

/** The open conversation lives in the URL hash, so a reload comes back to it. */
function writeHash(conversationId: string | null): void {
  const hash = conversationId ? `#chat/${encodeURIComponent(conversationId)}` : "#chat";
  if (window.location.hash !== hash) history.replaceState(null, "", hash);
}

export function conversationFromHash(hash: string): string | null | undefined {
  if (hash === "#chat") return null;
  const m = /^#chat\/(.+)$/.exec(hash);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/** True while an answer in view is being generated. */
export function isStreaming(items: readonly ViewItem[]): boolean {
  return items.some((i) => i.message.status === "streaming");
}
