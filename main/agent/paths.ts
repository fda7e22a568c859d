import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { lstat, mkdir, open, readlink, realpath, rename, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";
import { AppError } from "../../app/contract/errors";
import { isProtectedPath } from "../../app/agent/protected-paths";
import { resolveWorkspaceRoot } from "./workspace";

/**
 * The file tools run in the backend, outside the sandbox, so every path the model names is resolved
 * here: through symlinks (of the target, or of its deepest existing ancestor for a new file), and
 * refused when it leaves the workspace. Hardlinks: a regular file with more than one name may have
 * its other name anywhere, so it is neither read nor written. Protected paths are never written.
 */

export interface ResolvedPath {
  /** Real absolute path (symlinks resolved where they exist). */
  absolute: string;
  /** Relative to the workspace, "/"-separated; "" for the root. */
  relative: string;
  /** lstat of the real path, or null when it does not exist yet. */
  stats: Stats | null;
}

function refuse(reason: string, message: string, path: string): AppError {
  return new AppError("bad_request", message, { reason, path });
}

export class PathGuard {
  private constructor(readonly root: string) {}

  static async create(workspace: string): Promise<PathGuard> {
    return new PathGuard(await resolveWorkspaceRoot(workspace));
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  private toRelative(real: string): string {
    return relative(this.root, real).split(sep).join("/");
  }

  /** Lexical checks, then symlink resolution of the longest existing prefix. */
  async resolve(input: unknown): Promise<ResolvedPath> {
    if (typeof input !== "string" || input === "") throw refuse("bad_path", "A path is required.", String(input));
    if (input.includes("\0")) throw refuse("bad_path", "The path contains a NUL byte.", input);
    if (input === "~" || input.startsWith("~/")) {
      throw refuse("outside_workspace", "Paths are relative to the workspace; `~` (the home folder) is outside it.", input);
    }
    const lexical = resolve(this.root, input);
    if (!this.inside(lexical)) {
      throw refuse("outside_workspace", `${input} is outside the workspace (${this.root}).`, input);
    }
    // Walk up to the deepest existing ancestor, then resolve it for real.
    let existing = lexical;
    const missing: string[] = [];
    for (;;) {
      try {
        await lstat(existing);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
          throw refuse("bad_path", `${input} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? "error"}).`, input);
        }
        missing.unshift(basename(existing));
        existing = dirname(existing);
      }
    }
    // lstat found it but realpath cannot follow it: a symlink to nowhere. Writing through it would
    // create its target wherever that is (say .git/hooks/pre-commit), so it is refused outright.
    const realBase = await realpath(existing).catch(() => {
      throw refuse("dangling_symlink", `${input} goes through a symlink whose target does not exist.`, input);
    });
    const real = missing.length === 0 ? realBase : join(realBase, ...missing);
    if (!this.inside(real)) {
      throw refuse("symlink_escape", `${input} leads outside the workspace through a symlink (to ${realBase}).`, input);
    }
    const stats = missing.length === 0 ? await lstat(real) : null;
    return { absolute: real, relative: this.toRelative(real), stats };
  }

  /** An existing regular file that may be read. */
  async forRead(input: unknown): Promise<ResolvedPath & { stats: Stats }> {
    const resolved = await this.resolve(input);
    const path = String(input);
    if (!resolved.stats) throw refuse("not_found", `${path} does not exist.`, path);
    if (resolved.stats.isDirectory()) throw refuse("is_directory", `${path} is a folder; use list_files.`, path);
    if (!resolved.stats.isFile()) throw refuse("not_regular_file", `${path} is not a regular file (a device, pipe or socket).`, path);
    if (resolved.stats.nlink > 1) {
      throw refuse("hardlinked_file", `${path} has ${resolved.stats.nlink} hard links; its other names may be outside the workspace, so it is not read.`, path);
    }
    return { ...resolved, stats: resolved.stats };
  }

  /** An existing folder to list or search. */
  async forDirectory(input: unknown): Promise<ResolvedPath> {
    const resolved = await this.resolve(input);
    const path = String(input);
    if (!resolved.stats) throw refuse("not_found", `${path} does not exist.`, path);
    if (!resolved.stats.isDirectory()) throw refuse("not_directory", `${path} is not a folder.`, path);
    return resolved;
  }

  /** A file that may be created or replaced. */
  async forWrite(input: unknown): Promise<ResolvedPath> {
    const resolved = await this.resolve(input);
    const path = String(input);
    const lexicalRelative = this.toRelative(resolve(this.root, path));
    if (resolved.relative === "") throw refuse("is_directory", "That is the workspace folder itself.", path);
    if (isProtectedPath(resolved.relative) || isProtectedPath(lexicalRelative)) {
      throw refuse("protected_path", `${path} is protected: git internals, shell rc files and .m2d are never written by the agent.`, path);
    }
    if (resolved.stats) {
      if (resolved.stats.isDirectory()) throw refuse("is_directory", `${path} is a folder.`, path);
      if (!resolved.stats.isFile()) throw refuse("not_regular_file", `${path} is not a regular file.`, path);
      if (resolved.stats.nlink > 1) {
        throw refuse("hardlinked_file", `${path} has ${resolved.stats.nlink} hard links; writing it could change a file outside the workspace.`, path);
      }
    }
    return resolved;
  }

  /**
   * Opens a file checked by forRead without following a swapped-in symlink, and re-checks that the
   * descriptor is the same inode, still singly linked and (on Linux) still inside the workspace.
   */
  async openForRead(input: unknown): Promise<{ handle: FileHandle; resolved: ResolvedPath & { stats: Stats } }> {
    const resolved = await this.forRead(input);
    const handle = await open(resolved.absolute, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      const now = await handle.stat();
      const same = now.ino === resolved.stats.ino && now.dev === resolved.stats.dev && now.nlink === 1 && now.isFile();
      if (!same || !(await this.descriptorInside(handle))) {
        throw refuse("changed_during_check", `${String(input)} changed while it was being checked.`, String(input));
      }
      return { handle, resolved };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async descriptorInside(handle: FileHandle): Promise<boolean> {
    if (process.platform !== "linux") return true;
    const target = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    return target !== null && this.inside(target);
  }

  /**
   * Writes a file through a temporary file and a rename in its (checked) folder, so the write never
   * goes through an existing inode or a symlink; keeps the old file's mode.
   */
  async writeFile(input: unknown, data: string | Uint8Array): Promise<ResolvedPath> {
    const resolved = await this.forWrite(input);
    const folder = dirname(resolved.absolute);
    await mkdir(folder, { recursive: true });
    const realFolder = await realpath(folder);
    if (!this.inside(realFolder) || realFolder !== folder) {
      throw refuse("changed_during_check", `${String(input)} changed while it was being checked.`, String(input));
    }
    const temp = join(folder, `.m2d-write-${randomBytes(6).toString("hex")}`);
    const mode = resolved.stats ? resolved.stats.mode & 0o7777 : 0o644;
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, resolved.absolute);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { ...resolved, stats: await lstat(resolved.absolute) };
  }
}

