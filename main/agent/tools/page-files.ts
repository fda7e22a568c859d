import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { access, lstat, open, readlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { AppError } from "../../../app/contract/errors";

/**
 * Reads a workspace file for check_page without trusting any path twice. Each component is opened
 * relative to the descriptor of the folder before it (Linux: `/proc/self/fd/<dir>/<name>`, which is
 * openat), with O_NOFOLLOW, so a folder swapped for a symlink between two steps is caught at the
 * step that meets it rather than followed. A symlink met on the way is resolved by text, inside the
 * workspace only, and the walk starts again from the root: links within the workspace (a shared
 * assets folder) still load, and none can lead out, however the tree changes meanwhile.
 * A temporary stand-in for the shared no-follow module (main/agent/fs/) until it exists.
 */

export type PageFileRefusal = "not_found" | "not_a_file" | "outside_workspace" | "hardlink" | "too_large" | "too_many_links";

export class PageFileError extends AppError {
  constructor(
    readonly refusal: PageFileRefusal,
    path: string,
  ) {
    super("bad_request", `${path}: ${refusal.replace(/_/g, " ")}`, { reason: refusal, path });
  }
}

/** As many hops as Linux allows in one path lookup. */
const MAX_LINKS = 40;

const PROC_FD = "/proc/self/fd";
const procFdWorks = access(PROC_FD).then(() => true, () => false);

interface Dir {
  handle: FileHandle;
  /** Absolute path, for the fallback's checks and for readlink where /proc is absent. */
  path: string;
}

const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** The child `name` of an open folder, or its symlink target (text) when it is one. */
async function openChild(dir: Dir, name: string, last: boolean): Promise<{ handle: FileHandle } | { link: string }> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | (last ? constants.O_NONBLOCK : constants.O_DIRECTORY);
  const byFd = await procFdWorks;
  const path = byFd ? `${PROC_FD}/${dir.handle.fd}/${name}` : `${dir.path}/${name}`;
  try {
    const handle = await open(path, flags);
    if (!byFd) await checkFallback(dir, `${dir.path}/${name}`, handle);
    return { handle };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOOP: O_NOFOLLOW met a symlink; ENOTDIR: a symlink (or a file) where a folder was wanted.
    if (code === "ELOOP" || code === "ENOTDIR") {
      const link = await readlink(path).catch(() => null);
      if (link !== null) return { link };
      throw new PageFileError("not_found", name);
    }
    if (code === "ENOENT") throw new PageFileError("not_found", name);
    throw error;
  }
}

/**
 * Without /proc (macOS) a component is opened by path: the folder it was opened from must still be
 * the one held, and the opened file the one lstat sees there. A swap and a swap back between those
 * checks is not caught; Linux, where the headless checker runs, never takes this path.
 */
async function checkFallback(dir: Dir, path: string, handle: FileHandle): Promise<void> {
  const [parentNow, parentHeld, childNow, childHeld] = await Promise.all([lstat(dir.path), dir.handle.stat(), lstat(path), handle.stat()]);
  if (!same(parentNow, parentHeld) || !same(childNow, childHeld) || childNow.isSymbolicLink()) {
    await handle.close();
    throw new PageFileError("outside_workspace", path);
  }
}

/** "a/b/../c" → ["a", "c"]; null when it climbs above the root. */
function normalize(parts: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.pop() === undefined) return null;
    } else out.push(part);
  }
  return out;
}

/** Where a symlink in `folder` (components under the root) points, as components under the root. */
function linkTarget(root: string, folder: readonly string[], link: string): string[] | null {
  if (link.startsWith("/")) {
    if (link !== root && !link.startsWith(`${root}/`)) return null;
    return normalize(link.slice(root.length).split("/"));
  }
  return normalize([...folder, ...link.split("/")]);
}

/**
 * The bytes of `relative` ("/"-separated) under the real folder `root`: a regular file with one
 * name (a hardlink's other name may be anywhere, as PathGuard says), at most `maxBytes` long.
 * Throws PageFileError for anything it will not serve.
 */
export async function readWorkspaceFile(root: string, relative: string, maxBytes: number): Promise<Buffer> {
  let parts = normalize(relative.split("/"));
  if (parts === null || parts.length === 0) throw new PageFileError(parts === null ? "outside_workspace" : "not_a_file", relative);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const result = await walk(root, parts);
    if ("file" in result) return readCapped(result.file, relative, maxBytes);
    parts = result.next;
  }
  throw new PageFileError("too_many_links", relative);
}

/** Opens `parts` from the root; an open file, or the new components to walk when a symlink was met. */
async function walk(root: string, parts: readonly string[]): Promise<{ file: FileHandle } | { next: string[] }> {
  let dir: Dir = { handle: await open(root, constants.O_RDONLY | constants.O_DIRECTORY), path: root };
  try {
    for (const [index, name] of parts.entries()) {
      const last = index === parts.length - 1;
      const child = await openChild(dir, name, last);
      if ("link" in child) {
        const target = linkTarget(root, parts.slice(0, index), child.link);
        if (target === null) throw new PageFileError("outside_workspace", parts.join("/"));
        return { next: [...target, ...parts.slice(index + 1)] };
      }
      if (last) return { file: child.handle };
      await dir.handle.close();
      dir = { handle: child.handle, path: `${dir.path}/${name}` };
    }
    throw new PageFileError("not_a_file", parts.join("/"));
  } finally {
    await dir.handle.close().catch(() => undefined);
  }
}

async function readCapped(handle: FileHandle, relative: string, maxBytes: number): Promise<Buffer> {
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new PageFileError("not_a_file", relative);
    if (stats.nlink > 1) throw new PageFileError("hardlink", relative);
    if (stats.size > maxBytes) throw new PageFileError("too_large", relative);
    const buffer = Buffer.alloc(stats.size);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
