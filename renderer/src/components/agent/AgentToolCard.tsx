import { useState } from "react";
import type { StoredMessage } from "../../../../app/chat/types";
import type { DisplayPart } from "../../chat/message-view";
import { formatInt } from "../../lib/format";
import { useAgentStore } from "../../stores/agent-store";
import { useChatStore } from "../../stores/chat-store";
import { ArtifactPreview } from "./ArtifactPreview";
import { DiffView } from "./DiffView";
import { toolCardView } from "./tool-card-view";
import { TOOL_STATUS_LABEL, toolCallStatus } from "./tool-status";
import { ToolArgs } from "../chat/ToolArgs";

type ToolPart = Extract<DisplayPart, { kind: "tool" }>;

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One tool call of an agent step: name, arguments, status, duration, the folded output, and the diff of an edit. */
export function AgentToolCard({ part, message, index }: { part: ToolPart; message: StoredMessage; index: number }) {
  const callId = message.toolCalls[index]?.id;
  const result = useChatStore((s) => (callId ? s.items.find((i) => i.message.role === "tool" && i.message.toolCallId === callId)?.message : undefined));
  const earlierUnfinished = useChatStore((s) =>
    message.toolCalls.slice(0, index).some((call) => !s.items.some((i) => i.message.role === "tool" && i.message.toolCallId === call.id)),
  );
  const run = useAgentStore((s) => (callId ? s.runs[callId] : undefined));
  const approval = useAgentStore((s) => s.approvals.find((a) => a.callId === callId));
  const running = useAgentStore((s) => s.running);
  const change = useAgentStore((s) => s.changes.find((c) => c.callId === callId));
  const [preview, setPreview] = useState(false);

  const status = message.status === "streaming" ? "pending" : toolCallStatus({ run, result, approval, running, earlierUnfinished });
  const entries = Object.entries(part.args);
  const { writes, path, previewable } = toolCardView(part.name, part.args, status === "ok");

  return (
    <div className={`tool-card agent-tool tool-${status}`} data-testid="agent-tool-call" data-tool={part.name} data-status={status}>
      <div className="tool-head">
        <span className="tool-icon" aria-hidden="true">⚙</span>
        <code className="tool-name">{part.name}</code>
        <span className="tool-status" data-testid="tool-status">
          {TOOL_STATUS_LABEL[status]}
          {run?.durationMs != null && <span className="tool-duration"> · {formatDuration(run.durationMs)}</span>}
        </span>
      </div>
      {!(writes && change) && <ToolArgs entries={entries} />}
      {change && <DiffView change={change} />}
      {result && (
        <details className="tool-output" data-testid="tool-output">
          <summary>
            Output <span className="muted">({formatInt(result.content.length)} chars)</span>
          </summary>
          <pre>{result.content}</pre>
        </details>
      )}
      {previewable && (
        <button type="button" className="link-button" aria-expanded={preview} onClick={() => setPreview(!preview)} data-testid="artifact-preview-toggle">
          {preview ? "Hide preview" : "Preview page"}
        </button>
      )}
      {preview && path !== undefined && <ArtifactPreview path={path} />}
    </div>
  );
}
