import { create } from "zustand";
import type { Conversation, ConversationGroup } from "../../../app/chat/types";
import { client } from "../client/client-instance";
import { errorMessage } from "../lib/errors";
import { toastError, useToastStore } from "./toast-store";

interface ConversationsState {
  groups: ConversationGroup[];
  loaded: boolean;
  refresh(): Promise<void>;
  rename(id: string, title: string): Promise<void>;
  pin(id: string, pinned: boolean): Promise<void>;
  /** Deletes with an Undo toast; `onDeleted` runs before the list updates (to leave the conversation). */
  remove(id: string, onDeleted?: () => void): Promise<void>;
  start(): () => void;
}

let inFlight: Promise<void> | null = null;
let again = false;

/** The history sidebar: chat.list, refreshed on chat.conversations_changed. */
export const useConversationsStore = create<ConversationsState>((set, get) => ({
  groups: [],
  loaded: false,
  refresh() {
    // Bursts of changes (a streamed answer's title, a delete) cost one call in flight and one after it.
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        do {
          again = false;
          const { groups } = await client().call("chat.list", {});
          set({ groups, loaded: true });
        } while (again);
      } catch (error) {
        toastError(`Could not load the conversations: ${errorMessage(error)}`);
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  },
  async rename(id, title) {
    if (!title.trim()) return;
    try {
      await client().call("chat.rename", { conversationId: id, title: title.trim() });
      await get().refresh();
    } catch (error) {
      toastError(`Rename failed: ${errorMessage(error)}`);
    }
  },
  async pin(id, pinned) {
    try {
      await client().call("chat.pin", { conversationId: id, pinned });
      await get().refresh();
    } catch (error) {
      toastError(`Pin failed: ${errorMessage(error)}`);
    }
  },
  async remove(id, onDeleted) {
    const title = findConversation(get().groups, id)?.title ?? "Conversation";
    try {
      const { undoUntil } = await client().call("chat.delete", { conversationId: id });
      onDeleted?.();
      await get().refresh();
      useToastStore.getState().show(
        {
          kind: "info",
          text: `Deleted “${title}”`,
          action: {
            label: "Undo",
            run: () => {
              void client()
                .call("chat.restore", { conversationId: id })
                .then(() => get().refresh())
                .catch((error: unknown) => toastError(`Undo failed: ${errorMessage(error)}`));
            },
          },
        },
        Math.max(2000, Math.min(15_000, undoUntil - Date.now())),
      );
    } catch (error) {
      toastError(`Delete failed: ${errorMessage(error)}`);
    }
  },
  start() {
    const off = client().onEvent((event) => {
      if (event.type === "chat.conversations_changed") void get().refresh();
    });
    const offConnection = client().onConnection((state) => {
      if (state === "open") void get().refresh();
    });
    return () => {
      off();
      offConnection();
    };
  },
}));

export function findConversation(groups: readonly ConversationGroup[], id: string | null): Conversation | undefined {
  if (!id) return undefined;
  for (const g of groups) for (const c of g.conversations) if (c.id === id) return c;
  return undefined;
}
