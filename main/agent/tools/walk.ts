import { lstat, opendir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PathGuard } from "../paths";
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
 * Depth-first, sorted walk below a folder the guard resolved. Never follows symlinks, always skips
 * `.git`, and skips what .gitignore files ignore.
 */
export async function* walk(guard: PathGuard, start: string, maxDepth: number): AsyncGenerator<WalkEntry> {
  const ignore = new GitIgnore();
  await loadAncestors(guard, start, ignore);
  yield* walkDir(guard, start, 1, maxDepth, ignore);
}

async function* walkDir(guard: PathGuard, relative: string, depth: number, maxDepth: number, ignore: GitIgnore): AsyncGenerator<WalkEntry> {
  const absolute = relative === "" ? guard.root : join(guard.root, relative);
  const dir = await opendir(absolute).catch(() => null);
  if (!dir) return;
  const names: string[] = [];
  for await (const entry of dir) names.push(entry.name);
  names.sort((a, b) => a.localeCompare(b));
  for (const name of names) {
    if (name === ".git") continue;
    const childRelative = relative === "" ? name : `${relative}/${name}`;
    const childAbsolute = join(absolute, name);
    const stats = await lstat(childAbsolute).catch(() => null);
    if (!stats || stats.isSymbolicLink()) continue;
    const isDirectory = stats.isDirectory();
    if (!isDirectory && !stats.isFile()) continue;
    if (ignore.ignores(childRelative, isDirectory)) continue;
    yield { relative: childRelative, absolute: childAbsolute, isDirectory, size: stats.size, hardlinked: !isDirectory && stats.nlink > 1, depth };
    if (isDirectory && depth < maxDepth) {
      await addGitignore(guard.root, childRelative, ignore);
      yield* walkDir(guard, childRelative, depth + 1, maxDepth, ignore);
    }
  }
}
