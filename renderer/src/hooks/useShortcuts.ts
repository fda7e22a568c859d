import { useEffect } from "react";
import { liveContent } from "../chat/live-answer";
import { copyText } from "../lib/clipboard";
import { isStreaming, useChatStore } from "../stores/chat-store";
import { useStreamStore } from "../stores/stream-store";
import { useToastStore } from "../stores/toast-store";
import { useUiStore } from "../stores/ui-store";
import { newChat } from "../components/sidebar/Sidebar";

function copyLastAnswer() {
  const last = useChatStore.getState().items.findLast((i) => i.message.role === "assistant")?.message;
  if (!last) return;
  const stream = useStreamStore.getState();
  const generationId = stream.generationOf[last.id];
  const live = generationId ? stream.answers[generationId] : undefined;
  const text = last.status === "streaming" && live ? liveContent(live) : last.content;
  void copyText(text).then((ok) => useToastStore.getState().show({ kind: ok ? "info" : "error", text: ok ? "Copied the last answer" : "Copy failed" }, 2000));
}

/** Ctrl/Cmd+N new chat, Ctrl/Cmd+K search, Esc stop, Ctrl/Cmd+Shift+C copy the last answer. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.shiftKey && !e.altKey && key === "n") {
        e.preventDefault();
        newChat();
      } else if (mod && !e.shiftKey && key === "k") {
        e.preventDefault();
        const ui = useUiStore.getState();
        ui.setSearchOpen(!ui.searchOpen);
      } else if (mod && e.shiftKey && key === "c") {
        e.preventDefault();
        copyLastAnswer();
      } else if (e.key === "Escape" && !e.defaultPrevented && !useUiStore.getState().searchOpen) {
        if (isStreaming(useChatStore.getState().items)) {
          e.preventDefault();
          void useChatStore.getState().stop();
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
