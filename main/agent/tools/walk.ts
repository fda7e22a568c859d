import { join } from "node:path";
import { pathParts, type SafeDir } from "../fs";
import type { PathGuard } from "../paths";
import { isPrivateHostPath } from "../sandbox/private-paths";
import { GitIgnore } from "./gitignore";

export interface WalkEntry {
  /** Workspace-relative, "/"-separated. */
  relative: string;
  absolute: string;
  isDirectory: boolean;
  size: number;
  /** More than one hard link: listed, but never read. */
  hardlinked: boolean;
  depth: number;
}

const MAX_GITIGNORE_BYTES = 256 * 1024;

/** The .gitignore of one folder, read through its handle (a symlinked .gitignore is not followed). */
function addGitignore(dir: SafeDir, base: string, ignore: GitIgnore): void {
  try {
    ignore.add(dir.readFile(".gitignore", MAX_GITIGNORE_BYTES).data.toString("utf8"), base);
  } catch {
    // none, not a regular file, or too large: no rules from it
  }
}

/**
 * Opens `start` one no-follow step at a time from the root, taking each folder's .gitignore on the
 * way (the root's through start's own); null when the path is not a folder any more.
 */
function openStart(root: SafeDir, start: string, ignore: GitIgnore): SafeDir | null {
  addGitignore(root, "", ignore);
  let dir = root;
  let base = "";
  try {
    for (const name of start === "" ? [] : pathParts(start)) {
      const next = dir.openDir(name);
      if (dir !== root) dir.close();
      dir = next;
      base = base === "" ? name : `${base}/${name}`;
      addGitignore(dir, base, ignore);
    }
    return dir;
  } catch {
    if (dir !== root) dir.close();
    return null;
  }
}

/**
 * Depth-first, sorted walk below a folder the guard resolved. Never follows symlinks (folders and
 * .gitignore files are opened by the no-follow walk of ../fs, so a folder swapped for a symlink
 * mid-walk is skipped, not listed), always skips `.git` and the app's own data dir, and skips what
 * .gitignore files ignore.
 */
export async function* walk(guard: PathGuard, start: string, maxDepth: number): AsyncGenerator<WalkEntry> {
  const ignore = new GitIgnore();
  const root = guard.openRoot();
  const dir = openStart(root, start, ignore);
  try {
    if (dir) yield* walkDir(guard, dir, start, 1, maxDepth, ignore);
  } finally {
    if (dir && dir !== root) dir.close();
    root.close();
  }
}

async function* walkDir(guard: PathGuard, dir: SafeDir, relative: string, depth: number, maxDepth: number, ignore: GitIgnore): AsyncGenerator<WalkEntry> {
  let names: string[];
  try {
    names = dir.entries().map((entry) => entry.name);
  } catch {
    return;
  }
  names.sort((a, b) => a.localeCompare(b));
  for (const name of names) {
    if (name === ".git") continue;
    const childRelative = relative === "" ? name : `${relative}/${name}`;
    const childAbsolute = join(guard.root, childRelative);
    if (isPrivateHostPath(childAbsolute)) continue;
    const stats = dir.lstat(name);
    if (!stats || stats.isSymbolicLink()) continue;
    const isDirectory = stats.isDirectory();
    if (!isDirectory && !stats.isFile()) continue;
    if (ignore.ignores(childRelative, isDirectory)) continue;
    yield { relative: childRelative, absolute: childAbsolute, isDirectory, size: stats.size, hardlinked: !isDirectory && stats.nlink > 1, depth };
    if (isDirectory && depth < maxDepth) {
      let child: SafeDir;
      try {
        child = dir.openDir(name);
      } catch {
        continue;
      }
      addGitignore(child, childRelative, ignore);
      try {
        yield* walkDir(guard, child, childRelative, depth + 1, maxDepth, ignore);
      } finally {
        child.close();
      }
    }
  }
}
