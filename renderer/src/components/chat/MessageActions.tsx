import { useEffect, useState } from "react";
import type { StoredMessage, SiblingInfo } from "../../../../app/chat/types";
import { isContinuable } from "../../../../app/chat/continuable";
import { copyText } from "../../lib/clipboard";
import { useChatStore } from "../../stores/chat-store";
import { useComposerStore } from "../../stores/composer-store";
import { BranchSwitcher } from "./BranchSwitcher";

interface Props {
  message: StoredMessage;
  siblings: SiblingInfo;
  /** The text a copy takes (the live text while streaming). */
  text: string;
  busy: boolean;
}

/** Copy, edit, continue, regenerate, versions and delete for one message. */
export function MessageActions({ message, siblings, text, busy }: Props) {
  const [copied, setCopied] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const switchBranch = useChatStore((s) => s.switchBranch);

  useEffect(() => {
    if (!confirmDelete) return;
    const timer = setTimeout(() => setConfirmDelete(false), 4000);
    return () => clearTimeout(timer);
  }, [confirmDelete]);

  const copy = () => {
    void copyText(text).then((ok) => {
      setCopied(ok);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  const remove = () => {
    if (!confirmDelete) return setConfirmDelete(true);
    setConfirmDelete(false);
    void useChatStore.getState().deleteMessage(message.id);
  };

  return (
    <div className="message-actions" role="group" aria-label="Message actions">
      <BranchSwitcher siblings={siblings} disabled={busy} onSwitch={(id) => void switchBranch(id)} />
      <button type="button" className="icon-button" onClick={copy} aria-label="Copy message" title="Copy">
        {copied ? "✓ Copied" : "Copy"}
      </button>
      {message.role === "user" && (
        <button
          type="button"
          className="icon-button"
          disabled={busy}
          onClick={() => useComposerStore.getState().startEdit(message.id, message.content)}
          aria-label="Edit message"
          title="Edit and resend (↑ in an empty composer)"
        >
          Edit
        </button>
      )}
      {isContinuable(message) && (
        <button
          type="button"
          className="icon-button"
          disabled={busy}
          onClick={() => void useChatStore.getState().continueAnswer(message)}
          aria-label="Continue answer"
          title="Continue from where it stopped"
        >
          Continue
        </button>
      )}
      {message.role === "assistant" && (
        <button type="button" className="icon-button" disabled={busy} onClick={() => void useChatStore.getState().regenerate(message.id)} aria-label="Regenerate answer" title="Regenerate">
          Regenerate
        </button>
      )}
      <button type="button" className={`icon-button${confirmDelete ? " danger" : ""}`} disabled={busy} onClick={remove} aria-label={confirmDelete ? "Confirm delete" : "Delete message"}>
        {confirmDelete ? "Delete?" : "Delete"}
      </button>
    </div>
  );
}
