import { memo, useEffect, useRef, useState } from "react";
import type { Conversation } from "../../../../app/chat/types";
import { useChatStore } from "../../stores/chat-store";
import { useConversationsStore } from "../../stores/conversations-store";
import { useUiStore } from "../../stores/ui-store";

/** One history entry: open, rename inline, pin, delete (with Undo). */
export const ConversationItem = memo(function ConversationItem({ conversation, active }: { conversation: Conversation; active: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (renaming) input.current?.select();
  }, [renaming]);

  const open = () => {
    useUiStore.getState().setView("chat");
    void useChatStore.getState().open(conversation.id);
  };
  const commit = () => {
    setRenaming(false);
    if (title.trim() && title.trim() !== conversation.title) void useConversationsStore.getState().rename(conversation.id, title);
    else setTitle(conversation.title);
  };
  const remove = () =>
    void useConversationsStore.getState().remove(conversation.id, () => {
      if (useChatStore.getState().conversationId === conversation.id) void useChatStore.getState().open(null);
    });

  return (
    <li className={`conversation${active ? " active" : ""}`} data-testid="conversation" data-conversation-id={conversation.id}>
      {renaming ? (
        <input
          ref={input}
          className="rename-input"
          aria-label="Conversation title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit();
            if (e.key === "Escape") {
              e.stopPropagation();
              setTitle(conversation.title);
              setRenaming(false);
            }
          }}
        />
      ) : (
        <button type="button" className="conversation-open" aria-current={active ? "page" : undefined} onClick={open} onDoubleClick={() => (setTitle(conversation.title), setRenaming(true))} title={conversation.title}>
          {conversation.pinned && <span className="pin-mark" aria-label="Pinned">★ </span>}
          {conversation.title}
        </button>
      )}
      {!renaming && (
        <span className="conversation-actions">
          <button type="button" className="icon-button" aria-label={`Rename ${conversation.title}`} title="Rename" onClick={() => (setTitle(conversation.title), setRenaming(true))}>
            ✎
          </button>
          <button type="button" className="icon-button" aria-label={`${conversation.pinned ? "Unpin" : "Pin"} ${conversation.title}`} aria-pressed={conversation.pinned} title={conversation.pinned ? "Unpin" : "Pin"} onClick={() => void useConversationsStore.getState().pin(conversation.id, !conversation.pinned)}>
            {conversation.pinned ? "★" : "☆"}
          </button>
          <button type="button" className="icon-button" aria-label={`Delete ${conversation.title}`} title="Delete" onClick={remove}>
            ✕
          </button>
        </span>
      )}
    </li>
  );
});
