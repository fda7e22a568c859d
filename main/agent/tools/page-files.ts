import { readlinkSync } from "node:fs";
import { AppError } from "../../../app/contract/errors";
import { SafeDir, safeFsReason } from "../fs";
import type { SafeFsReason } from "../fs";
import { isPrivateHostPath } from "../sandbox/private-paths";

/**
 * Reads a workspace file for check_page without trusting any path twice: every folder on the way is
 * a no-follow descriptor (SafeDir), so a folder swapped for a symlink between two steps is caught
 * at the step that meets it rather than followed. A symlink that is there when lstat looks is
 * resolved by its text, inside the workspace only, and the walk starts again from the root: links
 * within the workspace (a shared assets folder) still load, and none can lead out, however the tree
 * changes meanwhile.
 */

export type PageFileRefusal = "not_found" | "not_a_file" | "outside_workspace" | "private_path" | "hardlink" | "too_large" | "too_many_links";

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

const REFUSALS: Partial<Record<SafeFsReason, PageFileRefusal>> = {
  not_found: "not_found",
  // A file where a folder was wanted: the URL names nothing.
  not_directory: "not_found",
  not_regular_file: "not_a_file",
  too_large: "too_large",
  // Something moved under the walk: only an attack does that mid-request.
  symlink_escape: "outside_workspace",
  changed_during_check: "outside_workspace",
  bad_name: "outside_workspace",
};

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
  try {
    for (let hops = 0; hops <= MAX_LINKS; hops++) {
      const step = await readOrLink(root, parts, maxBytes);
      if ("data" in step) return step.data;
      const target = linkTarget(root, step.folder, step.link);
      if (target === null) throw new PageFileError("outside_workspace", relative);
      parts = [...target, ...step.rest];
    }
  } catch (error) {
    const refusal = error instanceof PageFileError ? null : REFUSALS[safeFsReason(error) ?? "io_error"];
    throw refusal ? new PageFileError(refusal, relative) : error;
  }
  throw new PageFileError("too_many_links", relative);
}

/** Walks `parts` from the root: the file's bytes, or the first symlink met (its folder, its text, the parts after it). */
async function readOrLink(root: string, parts: readonly string[], maxBytes: number): Promise<{ data: Buffer } | { folder: string[]; link: string; rest: string[] }> {
  let dir = SafeDir.openRoot(root);
  try {
    for (const [index, name] of parts.entries()) {
      // The app's data dir may sit inside the workspace; a page's fetch() must not read it (PathGuard's rule).
      if (isPrivateHostPath(`${dir.absolute}/${name}`)) throw new PageFileError("private_path", parts.join("/"));
      const stats = dir.lstat(name);
      if (stats === null) throw new PageFileError("not_found", parts.join("/"));
      if (stats.isSymbolicLink()) {
        // By path: the text only picks another path under the root, which is walked from the root again.
        const link = (() => {
          try {
            return readlinkSync(`${dir.absolute}/${name}`);
          } catch {
            throw new PageFileError("not_found", parts.join("/"));
          }
        })();
        return { folder: parts.slice(0, index), link, rest: parts.slice(index + 1) };
      }
      if (index === parts.length - 1) return { data: await readCapped(dir, name, maxBytes) };
      const child = dir.openDir(name);
      dir.close();
      dir = child;
    }
    throw new PageFileError("not_a_file", parts.join("/"));
  } finally {
    dir.close();
  }
}

async function readCapped(dir: SafeDir, name: string, maxBytes: number): Promise<Buffer> {
  const handle = await dir.openFile(name);
  try {
    const stats = await handle.stat();
    if (stats.nlink > 1) throw new PageFileError("hardlink", dir.pathOf(name));
    if (stats.size > maxBytes) throw new PageFileError("too_large", dir.pathOf(name));
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
