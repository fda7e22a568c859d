import { useEffect, useLayoutEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from "react";
import { fileInsertion, refusalReason } from "../../lib/text-files";
import { isStreaming, useChatStore } from "../../stores/chat-store";
import { useComposerStore } from "../../stores/composer-store";
import { useModelsStore } from "../../stores/models-store";
import { toastError } from "../../stores/toast-store";
import { TokenMeter } from "./TokenMeter";

const MAX_HEIGHT_PX = 260;

/** Reads attached, dropped or pasted text files; anything else (an image, a binary) is refused with a note saying why. */
async function readTextFiles(files: FileList): Promise<string> {
  const texts: string[] = [];
  for (const file of Array.from(files)) {
    const refused = refusalReason(file);
    if (refused) {
      toastError(refused);
      continue;
    }
    texts.push(fileInsertion(file.name, await file.text()));
  }
  return texts.join("\n\n");
}

/** Enter sends, Shift+Enter breaks the line, ↑ in an empty composer edits the last message. */
export function Composer() {
  const draft = useComposerStore((s) => s.draft);
  const editing = useComposerStore((s) => s.editing);
  const focusRequest = useComposerStore((s) => s.focusRequest);
  const items = useChatStore((s) => s.items);
  const conversationId = useChatStore((s) => s.conversationId);
  const pendingUser = useChatStore((s) => s.pendingUser);
  const loaded = useModelsStore((s) => s.loaded);
  const lostInCrash = useModelsStore((s) => s.lostInCrash);
  const [dragging, setDragging] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const streaming = isStreaming(items);
  const busy = streaming || pendingUser !== null;
  const canAnswer = loaded !== null || lostInCrash;
  const last = items.at(-1)?.message;
  const revision = items.length * 10 + (last?.status === "streaming" ? 1 : 0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [draft]);

  useEffect(() => {
    // After the frame that shows the conversation: focusing forces a layout, which would
    // otherwise run in the middle of rendering a freshly opened message list.
    const frame = requestAnimationFrame(() => {
      const el = ref.current;
      if (!el || document.activeElement === el) return;
      el.focus({ preventScroll: true });
      el.setSelectionRange(el.value.length, el.value.length);
    });
    return () => cancelAnimationFrame(frame);
  }, [focusRequest, conversationId]);

  const submit = async () => {
    const composer = useComposerStore.getState();
    const text = composer.draft.trim();
    if (!text || busy) return;
    if (!canAnswer) {
      toastError("Load a model first: open a local GGUF from the model menu.");
      return;
    }
    const chat = useChatStore.getState();
    if (composer.editing) {
      const { messageId } = composer.editing;
      if (await chat.editAndResend(messageId, text)) useComposerStore.setState({ editing: null, draft: "" });
      return;
    }
    composer.setDraft("");
    const sent = await chat.send(text);
    if (!sent && useComposerStore.getState().draft === "") composer.setDraft(text);
  };

  const insert = (text: string) => {
    if (!text) return;
    const el = ref.current;
    const current = useComposerStore.getState().draft;
    const start = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? current.length;
    const before = current.slice(0, start);
    const glue = before && !before.endsWith("\n") ? "\n" : "";
    useComposerStore.getState().setDraft(`${before}${glue}${text}\n${current.slice(end)}`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === "ArrowUp" && draft === "" && !editing) {
      const lastUser = items.findLast((i) => i.message.role === "user")?.message;
      if (lastUser && !busy) {
        event.preventDefault();
        useComposerStore.getState().startEdit(lastUser.id, lastUser.content);
      }
    } else if (event.key === "Escape" && editing) {
      event.preventDefault();
      event.stopPropagation();
      useComposerStore.getState().cancelEdit();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (event.clipboardData.files.length === 0) return;
    event.preventDefault();
    void readTextFiles(event.clipboardData.files).then(insert);
  };

  const onDrop = (event: DragEvent) => {
    setDragging(false);
    if (event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    void readTextFiles(event.dataTransfer.files).then(insert);
  };

  return (
    <form
      className={`composer${dragging ? " dragging" : ""}${editing ? " editing" : ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {editing && (
        <div className="composer-banner" role="status">
          Editing a message — Enter resends it as a new branch (the old one stays).
          <button type="button" className="link-button" onClick={() => useComposerStore.getState().cancelEdit()}>
            Cancel (Esc)
          </button>
        </div>
      )}
      <textarea
        ref={ref}
        value={draft}
        rows={1}
        placeholder={canAnswer ? "Message the model — Enter to send, Shift+Enter for a new line, drop text files here" : "Load a model to start chatting"}
        aria-label="Message"
        data-testid="composer-input"
        onChange={(e) => useComposerStore.getState().setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <div className="composer-bar">
        {/* The same path as a drop: text files go into the draft, images and binaries are refused with the reason. */}
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            const input = e.currentTarget;
            if (input.files?.length) void readTextFiles(input.files).then(insert);
            input.value = "";
          }}
        />
        <button type="button" className="attach-button" data-testid="attach" title="Attach text files (or drop them here)" onClick={() => fileInput.current?.click()}>
          Attach
        </button>
        <TokenMeter conversationId={conversationId} draft={draft} revision={revision} />
        {streaming ? (
          <button type="button" className="stop-button" onClick={() => void useChatStore.getState().stop()} data-testid="stop" title="Stop (Esc)">
            ■ Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={busy || draft.trim() === ""} data-testid="send">
            {editing ? "Resend" : "Send"}
          </button>
        )}
      </div>
    </form>
  );
}
