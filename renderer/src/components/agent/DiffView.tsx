import { useMemo, type ReactNode } from "react";
import type { FileChange } from "../../../../app/contract/agent-api";
import { unifiedHunks, type DiffHunk } from "../../../../app/agent/unified-diff";

const OMITTED: Record<NonNullable<FileChange["omitted"]>, string> = {
  too_large: "too large to show",
  binary: "not text",
  unreadable: "cannot be read now",
};

const SIGN = { context: " ", add: "+", remove: "-" } as const;

/** One file's diff: its name, then its hunks, or a note saying why there are none. The one rendering of a diff. */
export function DiffCard({ path, title, hunks, note }: { path: string; title: string; hunks: readonly DiffHunk[]; note: ReactNode }) {
  return (
    <div className="diff" data-testid="diff" data-path={path} aria-label={`Changes to ${path}`}>
      <div className="diff-head">
        <code>{title}</code>
      </div>
      {hunks.length === 0 ? (
        <p className="muted">{note}</p>
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

/** A file change as a unified diff (before: the checkpoint; after: the next change, or the file now). */
export function DiffView({ change }: { change: FileChange }) {
  const hunks = useMemo(() => (change.omitted ? [] : unifiedHunks(change.before, change.after)), [change.before, change.after, change.omitted]);
  return (
    <DiffCard
      path={change.path}
      title={change.before === null && change.omitted === null ? `new file ${change.path}` : change.path}
      hunks={hunks}
      note={change.omitted ? `The diff is left out: the file is ${OMITTED[change.omitted]}.` : "No difference: the call wrote the text that was there."}
    />
  );
}
