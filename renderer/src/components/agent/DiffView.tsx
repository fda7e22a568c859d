import { useMemo } from "react";
import type { FileChange } from "../../../../app/contract/agent-api";
import { unifiedHunks } from "../../../../app/agent/unified-diff";

const OMITTED: Record<NonNullable<FileChange["omitted"]>, string> = {
  too_large: "too large to show",
  binary: "not text",
  unreadable: "cannot be read now",
};

const SIGN = { context: " ", add: "+", remove: "-" } as const;

/** A file change as a unified diff (before: the checkpoint; after: the next change, or the file now). */
export function DiffView({ change }: { change: FileChange }) {
  const hunks = useMemo(() => unifiedHunks(change.before, change.after), [change.before, change.after]);
  return (
    <div className="diff" data-testid="diff" aria-label={`Changes to ${change.path}`}>
      <div className="diff-head">
        <code>{change.before === null && change.omitted === null ? `new file ${change.path}` : change.path}</code>
      </div>
      {change.omitted ? (
        <p className="muted">The diff is left out: the file is {OMITTED[change.omitted]}.</p>
      ) : hunks.length === 0 ? (
        <p className="muted">No difference: the call wrote the text that was there.</p>
      ) : (
        <pre className="diff-body">
          {hunks.map((hunk) => (
            <span key={hunk.header}>
              <span className="diff-hunk">{hunk.header}</span>
              {hunk.lines.map((line, i) => (
                <span key={i} className={`diff-${line.kind}`} data-testid={`diff-${line.kind}`}>
                  {SIGN[line.kind]}
                  {line.text}
                  {"\n"}
                </span>
              ))}
            </span>
          ))}
        </pre>
      )}
    </div>
  );
}
