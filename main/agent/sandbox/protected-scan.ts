import { createHash } from "node:crypto";
import type { Dirent, Stats } from "node:fs";
import {
  ANY_DEPTH_RC_FILES,
  APP_DIR,
  GIT_COMMONDIR_FILE,
  GIT_CONFIG_FILES,
  GIT_DIR_NAME,
  GIT_HEAD,
  GIT_HOOKS_DIR,
  GIT_WORKTREES_DIR,
  ROOT_RC_FILES,
  ROOT_TOOL_CONFIGS,
} from "../../../app/agent/protected-paths";
import { safeFsReason, walkTree } from "../fs";
import type { SafeDir, WalkedDir } from "../fs";

/**
 * One walk of the whole workspace (readdir-with-types through no-follow descriptors) that finds
 * everything git or a shell would run code from on the host: every git dir (an entry named .git at
 * any depth, any folder holding a HEAD file, a linked worktree's folder), its config, commondir and
 * hooks, every gitfile or .git symlink, .envrc at any depth, the root rc files and .m2d. Each is
 * recorded by identity and, for files, content hash.
 */

export type ProtectedKind =
  | "git-config" // config, config.worktree of a git dir
  | "git-commondir" // commondir of a git dir
  | "gitfile" // a FILE named .git (`gitdir: elsewhere`)
  | "git-link" // a .git that is a symlink (or anything else but a folder or file)
  | "git-hooks" // hooks/ of a git dir
  | "git-hook" // an entry of hooks/
  | "rc-file"
  | "app-dir"
  | "tool-config"; // .vscode, .mcp.json… at the root (ROOT_TOOL_CONFIGS)

export type EntryType = "file" | "dir" | "symlink" | "other";

export interface ProtectedEntry {
  relative: string;
  kind: ProtectedKind;
  type: EntryType;
  dev: number;
  ino: number;
  mode: number;
  /** sha256 of a regular file's content; a size, mtime and ctime stamp past MAX_HASHED_BYTES; null otherwise. */
  hash: string | null;
  /** Content of a config, commondir or gitfile, for validating it (null when too large or not a file). */
  text: string | null;
}

export interface Inventory {
  entries: ProtectedEntry[];
  /** Every git dir found, workspace-relative ("" for a root that holds HEAD); symlink-free paths. */
  gitDirs: Set<string>;
  directories: number;
}

/** A walk that would take more than a few seconds is refused rather than skipped. */
export const MAX_DIRECTORIES = 250_000;
const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_HASHED_BYTES = 16 * 1024 * 1024;

const lower = (name: string) => name.toLowerCase();
const CONFIG_NAMES = new Set<string>(GIT_CONFIG_FILES);
const ROOT_RC = new Set<string>(ROOT_RC_FILES.map(lower));
const ROOT_TOOL = new Set<string>(ROOT_TOOL_CONFIGS.map(lower));
const ANY_RC = new Set<string>(ANY_DEPTH_RC_FILES.map(lower));

const parentOf = (relative: string) => (relative.includes("/") ? relative.slice(0, relative.lastIndexOf("/")) : "");
const baseOf = (relative: string) => relative.slice(relative.lastIndexOf("/") + 1);
const join = (relative: string, name: string) => (relative === "" ? name : `${relative}/${name}`);

function typeOf(stats: Stats): EntryType {
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "dir";
  if (stats.isSymbolicLink()) return "symlink";
  return "other";
}

/** Whether a folder is one git would use as a git dir (or a linked worktree's, under worktrees/). */
function isGitDir(walked: WalkedDir, gitDirs: Set<string>): boolean {
  const { relative, entries } = walked;
  if (relative !== "" && lower(baseOf(relative)) === GIT_DIR_NAME) return true;
  // git needs HEAD to be a file or symlink; a folder named HEAD (say on a case-insensitive disk) is not one.
  if (entries.some((entry) => lower(entry.name) === lower(GIT_HEAD) && !entry.isDirectory())) return true;
  const parent = parentOf(relative);
  return relative !== "" && lower(baseOf(parent)) === GIT_WORKTREES_DIR && gitDirs.has(parentOf(parent));
}

function record(dir: SafeDir, entry: Dirent, relative: string, kind: ProtectedKind): ProtectedEntry {
  const stats = dir.lstat(entry.name);
  if (!stats) throw Object.assign(new Error("vanished"), { vanished: true });
  const type = typeOf(stats);
  let hash: string | null = null;
  let text: string | null = null;
  if (type === "file") {
    if (stats.size > MAX_HASHED_BYTES) {
      // ctime too: a command can set mtime back (utimensat), never ctime.
      hash = `size:${stats.size}:mtime:${stats.mtimeMs}:ctime:${stats.ctimeMs}`;
    } else {
      const { data } = dir.readFile(entry.name, MAX_HASHED_BYTES);
      hash = createHash("sha256").update(data).digest("hex");
      if (kind !== "git-hook" && kind !== "rc-file" && data.length <= MAX_TEXT_BYTES) text = data.toString("utf8");
    }
  }
  return { relative, kind, type, dev: stats.dev, ino: stats.ino, mode: stats.mode, hash, text };
}

/** Walks the workspace once (see the module comment); fs errors come back typed (../fs/errors). */
export async function scanProtected(root: SafeDir): Promise<Inventory> {
  const entries: ProtectedEntry[] = [];
  const gitDirs = new Set<string>();
  const add = (dir: SafeDir, entry: Dirent, relative: string, kind: ProtectedKind) => {
    try {
      entries.push(record(dir, entry, relative, kind));
    } catch (error) {
      // Gone between readdir and lstat: nothing there to protect.
      if ((error as { vanished?: boolean }).vanished || safeFsReason(error) === "not_found") return;
      throw error;
    }
  };
  const directories = await walkTree(
    root,
    (walked) => {
      const { dir, relative } = walked;
      const gitDir = isGitDir(walked, gitDirs);
      if (gitDir) gitDirs.add(relative);
      const inHooks = lower(baseOf(relative)) === GIT_HOOKS_DIR && relative !== "" && gitDirs.has(parentOf(relative));
      for (const entry of walked.entries) {
        const name = lower(entry.name);
        const path = join(relative, entry.name);
        if (inHooks) add(dir, entry, path, "git-hook");
        if (name === GIT_DIR_NAME && !entry.isDirectory()) add(dir, entry, path, entry.isFile() ? "gitfile" : "git-link");
        if (gitDir && CONFIG_NAMES.has(name)) add(dir, entry, path, "git-config");
        if (gitDir && name === GIT_COMMONDIR_FILE) add(dir, entry, path, "git-commondir");
        if (gitDir && name === GIT_HOOKS_DIR) add(dir, entry, path, "git-hooks");
        if (ANY_RC.has(name) || (relative === "" && ROOT_RC.has(name))) add(dir, entry, path, "rc-file");
        if (relative === "" && name === APP_DIR) add(dir, entry, path, "app-dir");
        if (relative === "" && ROOT_TOOL.has(name)) add(dir, entry, path, "tool-config");
      }
    },
    { maxDirectories: MAX_DIRECTORIES },
  );
  return { entries, gitDirs, directories };
}
