import { memo, useMemo } from "react";
import { describeGeneration } from "../../../../app/chat/generation";
import type { StoredMessage } from "../../../../app/chat/types";
import type { ViewItem } from "../../chat/branch";
import { answerStartedAfter, displayParts } from "../../chat/message-view";
import { liveContent, promptProgressLabel } from "../../chat/live-answer";
import { formatMessageStats, messageStatsDetails } from "../../chat/message-stats";
import { Markdown } from "../../markdown/Markdown";
import type { MessageFocus } from "../../stores/chat-store";
import { useLiveAnswer } from "../../stores/stream-store";
import { useChatStore } from "../../stores/chat-store";
import { AgentToolCard } from "../agent/AgentToolCard";
import { MessageActions } from "./MessageActions";
import { ThinkingBlock } from "./ThinkingBlock";
import { ToolCallCard, ToolResultCard } from "./ToolCallCard";

const ROLE_LABEL: Record<StoredMessage["role"], string> = { user: "You", assistant: "Assistant", system: "System", tool: "Tool" };

function StatusNote({ message }: { message: StoredMessage }) {
  switch (message.status) {
    case "stopped":
      return <p className="status-note stopped" data-testid="message-status">Stopped</p>;
    case "interrupted":
      return <p className="status-note interrupted" data-testid="message-status">Interrupted{message.error ? `: ${message.error}` : " — the answer was cut off"}</p>;
    case "error":
      return <p className="status-note failed" data-testid="message-status">Failed{message.error ? `: ${message.error}` : ""}</p>;
    default:
      return null;
  }
}

interface Props {
  item: ViewItem;
  /** An answer in this conversation is generating: edits and regenerations wait. */
  busy: boolean;
  focus: MessageFocus | null;
  editing: boolean;
}

/** One message: thinking steps, markdown text and tool calls in stream order, then its actions. */
export const MessageItem = memo(function MessageItem({ item, busy, focus, editing }: Props) {
  const { message, siblings } = item;
  const live = useLiveAnswer(message.id);
  const parts = useMemo(() => displayParts(message, live), [message, live]);
  const streaming = message.status === "streaming";
  const copyTextValue = streaming && live ? liveContent(live) : message.content;
  // Agent steps: tool cards carry their own status and output, so tool messages add no row of their own.
  const agent = useChatStore((s) => s.conversation?.kind === "agent");
  let toolIndex = 0;
  if (agent && message.role === "tool") return null;
  const classes = ["message", `message-${message.role}`, focus ? "message-focus" : "", editing ? "message-editing" : ""].filter(Boolean).join(" ");

  return (
    <article className={classes} data-testid="message" data-message-id={message.id} data-role={message.role} data-status={message.status} aria-label={`${ROLE_LABEL[message.role]} message`}>
      <div className="message-role">{ROLE_LABEL[message.role]}</div>
      {message.role === "user" ? (
        <div className="user-text">{message.content}</div>
      ) : message.role === "tool" ? (
        <ToolResultCard name={message.toolName} content={message.content} />
      ) : message.role === "system" ? (
        <div className="system-text">{message.content}</div>
      ) : (
        <div className="assistant-body">
          {parts.map((part, i) => {
            switch (part.kind) {
              case "thinking":
                return (
                  <ThinkingBlock
                    key={part.key}
                    part={part}
                    storageId={part.key === "reasoning0" ? message.id : `${message.id}:${part.key}`}
                    answered={answerStartedAfter(parts, i)}
                    reveal={focus?.field === "reasoning" ? focus.nonce : undefined}
                  />
                );
              case "content":
                return <Markdown key={part.key} text={part.text} streaming={streaming} />;
              case "tool":
                return agent ? <AgentToolCard key={part.key} part={part} message={message} index={toolIndex++} /> : <ToolCallCard key={part.key} part={part} />;
            }
          })}
          {streaming && parts.length === 0 && (promptProgressLabel(live) ? (
            <p className="muted prompt-progress" data-testid="prompt-progress">{promptProgressLabel(live)}</p>
          ) : (
            <div className="typing" aria-label="Waiting for the first token">
              <span />
              <span />
              <span />
            </div>
          ))}
        </div>
      )}
      <StatusNote message={message} />
      {/* Every answer keeps its own speed and the model and settings it ran with (stored with it); the hover has the details. */}
      {message.role === "assistant" && !streaming && (message.stats || message.generation) && (
        <p
          className="message-stats"
          data-testid="message-stats"
          title={[message.generation && describeGeneration(message.generation), message.stats && messageStatsDetails(message.stats)].filter(Boolean).join("\n")}
          style={{ fontSize: "0.8em", opacity: 0.7, margin: "0.25em 0" }}
        >
          {message.stats ? formatMessageStats(message.stats) : message.generation?.model}
        </p>
      )}
      {/* Edit, regenerate and delete would answer as a plain chat, outside the agent loop. */}
      {!streaming && !agent && <MessageActions message={message} siblings={siblings} text={copyTextValue} busy={busy} />}
    </article>
  );
});
