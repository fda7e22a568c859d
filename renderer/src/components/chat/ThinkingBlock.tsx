import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { thinkingSummary, type DisplayPart } from "../../chat/message-view";
import { rememberThinking, thinkingChoice } from "../../lib/thinking-open";
import { usePrefsStore } from "../../stores/prefs-store";
import { Elapsed } from "./Elapsed";

type ThinkingPart = Extract<DisplayPart, { kind: "thinking" }>;

interface Props {
  part: ThinkingPart;
  /** Persisted open/closed choice key: the message id (plus the step for a tool loop's later steps). */
  storageId: string;
  /** Visible answer text follows: auto mode collapses then. */
  answered: boolean;
  /** Bumped by a search hit in the reasoning: opens the block (without remembering it). */
  reveal: number | undefined;
}

/**
 * The model's reasoning: open and live while it streams, one summary line once the
 * answer starts ("Thought for 12 s · 480 tokens"). The user's own toggle wins, and is kept.
 */
export function ThinkingBlock({ part, storageId, answered, reveal }: Props) {
  const mode = usePrefsStore((s) => s.thinking);
  const [choice, setChoice] = useState(() => thinkingChoice(storageId));
  const bodyId = useId();
  const bodyRef = useRef<HTMLDivElement>(null);
  const live = part.live && !answered;
  const open = choice ?? (mode === "expand" || (mode === "auto" && live));

  useEffect(() => {
    if (reveal !== undefined) setChoice(true);
  }, [reveal]);

  // Follow the live text like a terminal, unless the user scrolled up in it.
  useEffect(() => {
    const body = bodyRef.current;
    if (!body || !live) return;
    if (body.scrollHeight - body.scrollTop - body.clientHeight < 48) body.scrollTop = body.scrollHeight;
  }, [part.text, live]);

  if (mode === "hide") {
    return live ? (
      <div className="thinking thinking-hidden" data-testid="thinking">
        Thinking… {part.startedAt !== undefined && <Elapsed since={part.startedAt} />}
      </div>
    ) : null;
  }

  const toggle = () => {
    const next = !open;
    setChoice(next);
    rememberThinking(storageId, next);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle();
    }
  };

  return (
    <div className={`thinking${live ? " thinking-live" : ""}`} data-testid="thinking" data-state={live ? "live" : open ? "open" : "collapsed"}>
      <div
        className="thinking-head"
        role="button"
        tabIndex={0}
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={toggle}
        onKeyDown={onKeyDown}
        data-testid="thinking-toggle"
      >
        <span className="chevron" aria-hidden="true">{open ? "▾" : "▸"}</span>
        {live ? (
          <span>
            Thinking… {part.startedAt !== undefined && <Elapsed since={part.startedAt} />}
          </span>
        ) : (
          <span data-testid="thinking-summary">{thinkingSummary(part)}</span>
        )}
      </div>
      <div id={bodyId} ref={bodyRef} className="thinking-body" hidden={!open} data-testid="thinking-body">
        {open ? part.text : null}
      </div>
    </div>
  );
}
