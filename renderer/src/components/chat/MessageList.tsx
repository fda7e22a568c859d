import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { isStreaming, useChatStore } from "../../stores/chat-store";
import { useComposerStore } from "../../stores/composer-store";
import { MessageItem } from "./MessageItem";

const BOTTOM_SLACK_PX = 48;
/** How close to the top of what is loaded the next older page is fetched. */
const LOAD_OLDER_PX = 1200;
const ESTIMATED_ROW_PX = 140;

/** Marks the first paint of a conversation's messages, for the UI benchmark. */
function markPainted(conversationId: string) {
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark("m2d:messages-painted", { detail: { conversationId } });
      try {
        performance.measure("m2d:open-to-paint", "m2d:open-conversation", "m2d:messages-painted");
      } catch {
        // no open mark (the list was restored some other way)
      }
    }, 0),
  );
}

/**
 * The branch on screen, virtualized with measured row heights: a 2,000-message
 * conversation renders the rows in view only. It sticks to the bottom while an
 * answer streams, unless the user has scrolled up.
 */
export function MessageList() {
  const items = useChatStore((s) => s.items);
  const olderCount = useChatStore((s) => s.olderCount);
  const pendingUser = useChatStore((s) => s.pendingUser);
  const focus = useChatStore((s) => s.focus);
  const conversationId = useChatStore((s) => s.conversationId);
  const editingId = useComposerStore((s) => s.editing?.messageId);
  const busy = isStreaming(items) || pendingUser !== null;
  const scrollRef = useRef<HTMLDivElement>(null);
  const painted = useRef<string | null>(null);
  const count = items.length + (pendingUser !== null ? 1 : 0);
  const focusIndex = focus ? items.findIndex((i) => i.message.id === focus.messageId) : -1;
  // Mounted per conversation (keyed by its id): a search jump starts at the hit, anything else at the bottom.
  const focusIndexAtMount = useRef(focusIndex);
  const stick = useRef(focusIndex < 0);
  const [atBottom, setAtBottom] = useState(focusIndex < 0);

  const stickToBottom = () => {
    const el = scrollRef.current;
    if (el && stick.current && el.scrollHeight - el.clientHeight - el.scrollTop > 1) el.scrollTop = el.scrollHeight;
  };
  // Row positions and the track height are written to the DOM by the virtualizer itself:
  // a streaming answer growing by a line re-renders no React component for the layout.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    // Start where the view opens, instead of rendering the top rows first and scrolling away.
    initialOffset: () => (focusIndexAtMount.current >= 0 ? focusIndexAtMount.current * ESTIMATED_ROW_PX : count * ESTIMATED_ROW_PX),
    overscan: 4,
    getItemKey: (i) => items[i]?.message.id ?? "pending",
    directDomUpdates: true,
    onChange: stickToBottom,
  });

  useLayoutEffect(stickToBottom, [count, conversationId]);

  // Older messages arrived above: keep the rows the user is reading where they are.
  const firstId = items[0]?.message.id;
  const shownFirst = useRef(firstId);
  useLayoutEffect(() => {
    const previous = shownFirst.current;
    shownFirst.current = firstId;
    const el = scrollRef.current;
    const at = previous === undefined ? -1 : items.findIndex((i) => i.message.id === previous);
    if (!el || at <= 0 || stick.current) return;
    virtualizer.getTotalSize();
    el.scrollTop += virtualizer.measurementsCache[at]?.start ?? 0;
  }, [firstId]);


  // Sending always brings the conversation's end into view.
  useLayoutEffect(() => {
    if (pendingUser === null) return;
    stick.current = true;
    setAtBottom(true);
    stickToBottom();
  }, [pendingUser]);

  useEffect(() => {
    if (conversationId && count > 0 && painted.current !== conversationId) {
      painted.current = conversationId;
      markPainted(conversationId);
    }
  }, [conversationId, count]);

  // A search hit: scroll the message into view (the highlight is the row's CSS).
  useEffect(() => {
    if (focusIndex < 0) return;
    stick.current = false;
    setAtBottom(false);
    virtualizer.scrollToIndex(focusIndex, { align: "start" });
  }, [focus?.nonce, focusIndex]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    if (olderCount > 0 && el.scrollTop < LOAD_OLDER_PX) void useChatStore.getState().loadOlder();
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    stick.current = bottom;
    if (bottom !== atBottom) setAtBottom(bottom);
  };

  const jumpToLatest = () => {
    stick.current = true;
    setAtBottom(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  return (
    <div className="message-pane">
      <div ref={scrollRef} className="message-scroll" onScroll={onScroll} role="log" aria-label="Messages" aria-busy={busy} data-testid="message-list" tabIndex={-1}>
        <div className="message-track" ref={virtualizer.containerRef}>
          {virtualizer.getVirtualItems().map((row) => {
            const item = items[row.index];
            return (
              <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="message-row">
                {item ? (
                  <MessageItem item={item} busy={busy} focus={focus?.messageId === item.message.id ? focus : null} editing={editingId === item.message.id} />
                ) : (
                  <article className="message message-user message-pending" data-testid="message" data-role="user" data-status="sending">
                    <div className="message-role">You</div>
                    <div className="user-text">{pendingUser}</div>
                  </article>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {!atBottom && (
        <button type="button" className="jump-latest" onClick={jumpToLatest}>
          ↓ Latest
        </button>
      )}
    </div>
  );
}
