import type { ChangedFileNow, FileChange } from "../../../../app/contract/agent-api";

export type FileState = "created" | "modified" | "deleted" | "reverted";

export interface ChangedFile {
  path: string;
  name: string;
  /** The conversation's first change to it: reverting that checkpoint restores the file as it was before. */
  firstCheckpointId: string;
  changes: number;
  state: FileState;
}

export interface FolderNode {
  name: string;
  /** "" for the workspace root. */
  path: string;
  folders: FolderNode[];
  files: ChangedFile[];
}

/** One entry per file, comparing the file now with the file before the conversation's first change to it. */
export function changedFiles(changes: readonly FileChange[], files: readonly ChangedFileNow[]): ChangedFile[] {
  const byPath = new Map<string, FileChange[]>();
  for (const change of changes) byPath.set(change.path, [...(byPath.get(change.path) ?? []), change]);
  return [...byPath.entries()]
    .map(([path, list]) => {
      const first = list[0]!;
      const now = files.find((f) => f.path === path) ?? { text: null, omitted: "unreadable" };
      const known = first.omitted === null && now.omitted === null;
      const state: FileState =
        known && first.before === now.text ? "reverted" : known && first.before === null ? "created" : known && now.text === null ? "deleted" : "modified";
      return { path, name: path.split("/").pop() ?? path, firstCheckpointId: first.checkpointId, changes: list.length, state };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Files grouped into their folders, for the tree. */
export function fileTree(files: readonly ChangedFile[]): FolderNode {
  const root: FolderNode = { name: "", path: "", folders: [], files: [] };
  for (const file of files) {
    let node = root;
    const parts = file.path.split("/");
    for (const part of parts.slice(0, -1)) {
      const path = node.path ? `${node.path}/${part}` : part;
      let next = node.folders.find((f) => f.name === part);
      if (!next) {
        next = { name: part, path, folders: [], files: [] };
        node.folders.push(next);
      }
      node = next;
    }
    node.files.push(file);
  }
  return root;
}
