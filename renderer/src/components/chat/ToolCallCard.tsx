import type { DisplayPart } from "../../chat/message-view";
import { formatInt } from "../../lib/format";
import { ToolArgs } from "./ToolArgs";

type ToolPart = Extract<DisplayPart, { kind: "tool" }>;

const STATUS_LABEL: Record<ToolPart["status"], string> = { running: "running…", done: "called", error: "failed" };

/** One tool call of an agent step: name, arguments, status. */
export function ToolCallCard({ part }: { part: ToolPart }) {
  const entries = Object.entries(part.args);
  return (
    <div className={`tool-card tool-${part.status}`} data-testid="tool-call">
      <div className="tool-head">
        <span className="tool-icon" aria-hidden="true">⚙</span>
        <code className="tool-name">{part.name}</code>
        <span className="tool-status">{STATUS_LABEL[part.status]}</span>
      </div>
      <ToolArgs entries={entries} />
      {part.error && <p className="error">{part.error}</p>}
    </div>
  );
}

/** A tool's output, folded: it can be long. */
export function ToolResultCard({ name, content }: { name: string | undefined; content: string }) {
  return (
    <details className="tool-card tool-result" data-testid="tool-result">
      <summary>
        <span className="tool-icon" aria-hidden="true">↩</span> Result{name ? <> of <code>{name}</code></> : null}
        <span className="tool-status">{formatInt(content.length)} chars</span>
      </summary>
      <pre>{content}</pre>
    </details>
  );
}
