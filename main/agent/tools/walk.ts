import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SafeDir, pathParts } from "../fs";
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

/** .gitignore files from the workspace root down to `relative` (exclusive of deeper ones). */
async function loadAncestors(guard: PathGuard, relative: string, ignore: GitIgnore): Promise<void> {
  const parts = relative === "" ? [] : relative.split("/");
  for (let i = 0; i <= parts.length; i++) {
    const base = parts.slice(0, i).join("/");
    await addGitignore(guard.root, base, ignore);
  }
}

async function addGitignore(root: string, base: string, ignore: GitIgnore): Promise<void> {
  const file = join(root, base, ".gitignore");
  const stats = await lstat(file).catch(() => null);
  if (!stats?.isFile() || stats.size > 256 * 1024) return;
  ignore.add(await readFile(file, "utf8"), base);
}

/**
 * Depth-first, sorted walk below a folder the guard resolved. Never follows symlinks (folders are
 * opened by the no-follow walk of ../fs, so one swapped for a symlink mid-walk is skipped, not
 * listed), always skips `.git` and the app's own data dir, and skips what .gitignore files ignore.
 */
export async function* walk(guard: PathGuard, start: string, maxDepth: number): AsyncGenerator<WalkEntry> {
  const ignore = new GitIgnore();
  await loadAncestors(guard, start, ignore);
  const root = SafeDir.openRoot(guard.root);
  let dir: SafeDir;
  try {
    dir = start === "" ? root : root.openPath(pathParts(start));
  } catch {
    root.close();
    return;
  }
  try {
    yield* walkDir(guard, dir, start, 1, maxDepth, ignore);
  } finally {
    if (dir !== root) dir.close();
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
      await addGitignore(guard.root, childRelative, ignore);
      let child: SafeDir;
      try {
        child = dir.openDir(name);
      } catch {
        continue;
      }
      try {
        yield* walkDir(guard, child, childRelative, depth + 1, maxDepth, ignore);
      } finally {
        child.close();
      }
    }
  }
}
