import { useMemo, useState } from "react";
import { useAgentStore } from "../../stores/agent-store";
import { ArtifactPreview } from "./ArtifactPreview";
import { changedFiles, fileTree, type ChangedFile, type FolderNode } from "./changed-files";

const STATE_LABEL = { created: "added", modified: "modified", deleted: "deleted", reverted: "reverted" } as const;

function FileRow({ file, busy }: { file: ChangedFile; busy: boolean }) {
  const revert = useAgentStore((s) => s.revert);
  const [preview, setPreview] = useState(false);
  const html = /\.html?$/i.test(file.path) && file.state !== "deleted" && file.state !== "reverted";
  return (
    <li className={`changed-file file-${file.state}`} data-testid="changed-file" data-path={file.path} data-state={file.state}>
      <div className="changed-file-row">
        <code title={file.path}>{file.name}</code>
        <span className="muted">
          {STATE_LABEL[file.state]}
          {file.changes > 1 ? ` · ${file.changes} changes` : ""}
        </span>
        {html && (
          <button type="button" className="link-button" aria-expanded={preview} onClick={() => setPreview(!preview)}>
            Preview
          </button>
        )}
        <button
          type="button"
          className="link-button"
          disabled={busy || file.state === "reverted"}
          title={busy ? "Stop the agent first" : `Restore ${file.path} as it was before this conversation changed it`}
          onClick={() => void revert(file.firstCheckpointId, file.path)}
          data-testid="revert-file"
        >
          Revert this change
        </button>
      </div>
      {preview && <ArtifactPreview path={file.path} />}
    </li>
  );
}

function Folder({ node, busy }: { node: FolderNode; busy: boolean }) {
  return (
    <ul className="file-tree">
      {node.folders.map((folder) => (
        <li key={folder.path} className="changed-folder">
          <span className="muted">{folder.name}/</span>
          <Folder node={folder} busy={busy} />
        </li>
      ))}
      {node.files.map((file) => (
        <FileRow key={file.path} file={file} busy={busy} />
      ))}
    </ul>
  );
}

/** The files this conversation changed, as a tree, each with "Revert this change" from its checkpoint. */
export function ChangedFiles() {
  const changes = useAgentStore((s) => s.changes);
  const files = useAgentStore((s) => s.files);
  const running = useAgentStore((s) => s.running);
  const tree = useMemo(() => fileTree(changedFiles(changes, files)), [changes, files]);
  // In a narrow window the panel is an overlay: it closes to a small button that brings it back.
  const [open, setOpen] = useState(true);
  if (changes.length === 0) return null;
  if (!open) {
    return (
      <button type="button" className="changed-files-tab" onClick={() => setOpen(true)} data-testid="changed-files-open">
        Changed files ({changes.length})
      </button>
    );
  }
  return (
    <section className="changed-files" aria-label="Changed files" data-testid="changed-files">
      <header>
        <h2>Changed files</h2>
        <button type="button" className="icon-button changed-files-close" onClick={() => setOpen(false)} aria-label="Close changed files" data-testid="changed-files-close">
          ✕
        </button>
      </header>
      <Folder node={tree} busy={running} />
    </section>
  );
}
