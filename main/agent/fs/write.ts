import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import type { SafeDir } from "./dir";
import { safeFsError } from "./errors";

/** Splits a workspace-relative "/"-separated path into components; "", "." and ".." are refused. */
export function pathParts(relative: string): string[] {
  const parts = relative.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.length === 0 || parts.includes("..")) {
    throw safeFsError("bad_name", `"${relative}" is not a path inside the workspace.`, relative);
  }
  return parts;
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Creates or replaces `relative` (a file) under `root` without following any symlink: missing parent
 * folders are made one no-follow step at a time, the content goes to a new temp file
 * (O_CREAT|O_EXCL|O_NOFOLLOW) in the final folder's descriptor, is fsync'ed, then renamed over the
 * name in that same folder. A folder swapped for a symlink at any moment makes it fail, never land
 * elsewhere. Returns the lstat of the written file.
 */
export function writeFileAtomic(root: SafeDir, relative: string, data: string | Uint8Array, mode = 0o644): Stats {
  const parts = pathParts(relative);
  const name = parts.pop() as string;
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const dir = root.openPath(parts, { create: true });
  try {
    const temp = `.m2d-write-${randomBytes(6).toString("hex")}`;
    const fd = dir.createExclusive(temp, mode);
    try {
      try {
        writeAll(fd, bytes);
        fchmodSync(fd, mode); // the umask may have narrowed the create mode
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      dir.rename(temp, name);
    } catch (error) {
      try {
        dir.unlink(temp);
      } catch {
        // already renamed or never created: nothing to clean
      }
      throw error;
    }
    const stats = dir.lstat(name);
    if (!stats) throw safeFsError("changed_during_check", `${dir.pathOf(name)} vanished right after it was written.`, dir.pathOf(name));
    return stats;
  } finally {
    dir.close();
  }
}
