import type { Stats } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { AppError } from "../../app/contract/errors";
import { isProtectedPath } from "../../app/agent/protected-paths";
import { SafeDir, pathParts, writeFileAtomic } from "./fs";
import { isPrivateHostPath } from "./sandbox/private-paths";
import { resolveWorkspaceRoot } from "./workspace";

/**
 * The file tools run in the backend, outside the sandbox, so every path the model names is resolved
 * here: through symlinks (of the target, or of its deepest existing ancestor for a new file), and
 * refused when it leaves the workspace. Hardlinks: a regular file with more than one name may have
 * its other name anywhere, so it is neither read nor written. Protected paths are never written.
 *
 * Resolution only decides what a path means; every read, write and removal then walks the resolved
 * path from the workspace root one no-follow step at a time (./fs), so a folder swapped for a
 * symlink between the check and the I/O makes the call fail instead of landing outside.
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
    // The app's data dir (database, Hub token, checkpoints) may sit inside a workspace: never the agent's to see.
    if (isPrivateHostPath(real) || isPrivateHostPath(lexical)) {
      throw refuse("private_path", `${input} is inside the app's own data folder, which the agent never reads or writes.`, input);
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
    if (isProtectedPath(resolved.relative) || isProtectedPath(lexicalRelative) || (await this.insideGitDir(resolved.relative))) {
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
   * Whether a folder on the way holds a HEAD file: git takes such a folder for a repository (a bare
   * one, or a .git moved elsewhere) and runs what its config and hooks say, so nothing is written in it.
   */
  private async insideGitDir(relative: string): Promise<boolean> {
    const parts = relative.split("/");
    for (let depth = 0; depth < parts.length; depth++) {
      const head = await lstat(join(this.root, ...parts.slice(0, depth), "HEAD")).catch(() => null);
      if (head && !head.isDirectory()) return true;
    }
    return false;
  }

  /** The workspace root as a no-follow directory handle (./fs); the caller closes it. */
  openRoot(): SafeDir {
    return SafeDir.openRoot(this.root);
  }

  /** Opens the resolved file by walking its path from the root without following symlinks. */
  private async openResolved(relative: string): Promise<FileHandle> {
    const parts = pathParts(relative);
    const name = parts.pop() as string;
    const root = this.openRoot();
    try {
      const dir = root.openPath(parts);
      try {
        return await dir.openFile(name);
      } finally {
        dir.close();
      }
    } finally {
      root.close();
    }
  }

  /**
   * Opens a file checked by forRead without following a swapped-in symlink anywhere on its path, and
   * re-checks that the descriptor is the same inode and still singly linked.
   */
  async openForRead(input: unknown): Promise<{ handle: FileHandle; resolved: ResolvedPath & { stats: Stats } }> {
    const resolved = await this.forRead(input);
    const handle = await this.openResolved(resolved.relative);
    try {
      const now = await handle.stat();
      const same = now.ino === resolved.stats.ino && now.dev === resolved.stats.dev && now.nlink === 1 && now.isFile();
      if (!same) throw refuse("changed_during_check", `${String(input)} changed while it was being checked.`, String(input));
      return { handle, resolved };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Writes a file through a temporary file and a rename in its folder, all relative to no-follow
   * folder descriptors (fs/write.ts), so the write never goes through an existing inode or a
   * symlink, even one swapped in meanwhile; keeps the old file's permission bits.
   */
  async writeFile(input: unknown, data: string | Uint8Array): Promise<ResolvedPath> {
    const resolved = await this.forWrite(input);
    const mode = resolved.stats ? resolved.stats.mode & 0o777 : 0o644;
    const root = this.openRoot();
    try {
      return { ...resolved, stats: writeFileAtomic(root, resolved.relative, data, mode) };
    } finally {
      root.close();
    }
  }

  /** Deletes a file the agent may write (checkpoint revert of a created file); a missing one is fine. */
  async removeFile(input: unknown): Promise<boolean> {
    const resolved = await this.forWrite(input);
    if (!resolved.stats) return false;
    const parts = pathParts(resolved.relative);
    const name = parts.pop() as string;
    const root = this.openRoot();
    try {
      const dir = root.openPath(parts);
      try {
        const now = dir.lstat(name);
        if (!now) return false;
        if (now.ino !== resolved.stats.ino || now.dev !== resolved.stats.dev || !now.isFile()) {
          throw refuse("changed_during_check", `${String(input)} changed while it was being checked.`, String(input));
        }
        dir.unlink(name);
        return true;
      } finally {
        dir.close();
      }
    } finally {
      root.close();
    }
  }
}
