import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import type { Dirent, Stats } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { fromErrno, safeFsError, safeFsReason } from "./errors";

/**
 * A directory handle inside a workspace that never follows a symlink the model could have made.
 *
 * Linux ("proc-fd"): the handle is a descriptor opened with O_DIRECTORY|O_NOFOLLOW, and every call on
 * one of its entries goes through `/proc/self/fd/<fd>/<name>`. The kernel resolves that magic link to
 * the descriptor's directory itself, whatever its path has become since, so the call acts on <name>
 * in exactly this directory: openat() with the path-based API Node has. O_NOFOLLOW and lstat then
 * apply to <name> alone.
 *
 * Elsewhere ("lstat-check", macOS, or a Linux without /proc): before each call the directory's path
 * is lstat'ed and must still be this very directory (same dev and inode), then the call uses
 * `<path>/<name>` with O_NOFOLLOW. Residual race: a parent swapped for a symlink between that check and
 * the call is not seen. Node has no openat() there; the window is a few microseconds.
 *
 * Names are single path components: no "/", no "." or "..", so a call can never leave the directory.
 * Calls are synchronous: each is one syscall on a local folder, and walks yield between directories.
 */

export type Resolution = "proc-fd" | "lstat-check";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Linux's O_PATH (the same on x86-64 and arm64); Node does not export it. */
const O_PATH = 0o10000000;

let procFd: boolean | undefined;

/** Whether /proc/self/fd resolves to our own descriptors here (checked once). */
export function procFdUsable(): boolean {
  if (procFd !== undefined) return procFd;
  procFd = false;
  if (process.platform !== "linux") return procFd;
  try {
    const fd = openSync("/", O_RDONLY | O_DIRECTORY);
    try {
      const held = fstatSync(fd);
      const seen = statSync(`/proc/self/fd/${fd}/.`);
      procFd = held.dev === seen.dev && held.ino === seen.ino;
    } finally {
      closeSync(fd);
    }
  } catch {
    procFd = false;
  }
  return procFd;
}

function checkName(name: string, where: string): void {
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
    throw safeFsError("bad_name", `"${name}" is not a single file name (in ${where || "."}).`, where);
  }
}

const joinRelative = (base: string, name: string) => (base === "" ? name : `${base}/${name}`);

export class SafeDir {
  private closed = false;

  private constructor(
    private readonly fd: number,
    /** Absolute path when opened: for messages, and the lstat-check fallback. */
    readonly absolute: string,
    /** Relative to the root it was walked from, "/"-separated; "" for the root. */
    readonly relative: string,
    private readonly dev: number,
    private readonly ino: number,
    readonly resolution: Resolution,
  ) {}

  /** Opens a trusted root (the resolved workspace): its own path may go through symlinks, nothing below it may. */
  static openRoot(absolute: string, resolution: Resolution = procFdUsable() ? "proc-fd" : "lstat-check"): SafeDir {
    let fd: number;
    try {
      fd = openSync(absolute, O_RDONLY | O_DIRECTORY);
    } catch (error) {
      throw fromErrno(error, absolute, "open the workspace");
    }
    const stats = fstatSync(fd);
    if (!stats.isDirectory()) {
      closeSync(fd);
      throw safeFsError("not_directory", `${absolute} is not a folder.`, absolute);
    }
    return new SafeDir(fd, absolute.replace(/\/+$/, "") || "/", "", stats.dev, stats.ino, resolution);
  }

  /** Relative path of an entry, for messages. */
  pathOf(name: string): string {
    return joinRelative(this.relative, name);
  }

  private self(): string {
    if (this.closed) throw safeFsError("io_error", `${this.relative || "."} was already closed.`, this.relative);
    if (this.resolution === "proc-fd") return `/proc/self/fd/${this.fd}`;
    let now: Stats;
    try {
      now = lstatSync(this.absolute);
    } catch (error) {
      throw fromErrno(error, this.relative || ".", "check the folder");
    }
    if (!now.isDirectory() || now.dev !== this.dev || now.ino !== this.ino) {
      throw safeFsError("changed_during_check", `${this.relative || "."} was moved or replaced while in use.`, this.relative);
    }
    return this.absolute;
  }

  /** The path the kernel resolves to entry `name` of this very directory. */
  private at(name: string): string {
    checkName(name, this.relative);
    return `${this.self()}/${name}`;
  }

  /** A subdirectory; a symlink is refused (symlink_escape), never followed. */
  openDir(name: string): SafeDir {
    const path = this.at(name);
    let fd: number;
    try {
      fd = openSync(path, DIR_FLAGS);
    } catch (error) {
      // O_DIRECTORY|O_NOFOLLOW on a symlink gives ELOOP on Linux, ENOTDIR on some systems: tell them apart.
      if ((error as NodeJS.ErrnoException).code === "ENOTDIR" && this.lstat(name)?.isSymbolicLink()) {
        throw safeFsError("symlink_escape", `${this.pathOf(name)} is a symlink; it is not followed.`, this.pathOf(name), "ELOOP");
      }
      throw fromErrno(error, this.pathOf(name), "open folder");
    }
    const stats = fstatSync(fd);
    const absolute = this.absolute === "/" ? `/${name}` : `${this.absolute}/${name}`;
    return new SafeDir(fd, absolute, this.pathOf(name), stats.dev, stats.ino, this.resolution);
  }

  /**
   * An O_PATH descriptor on entry `name`, a file or folder (a symlink is refused): what the sandbox
   * hands bwrap's --ro-bind-fd, so that the mount is of exactly the entry checked here, whatever its
   * path points to by the time bwrap runs. Linux only; the caller closes it.
   */
  openHandle(name: string): number {
    const path = this.at(name);
    let fd: number;
    try {
      fd = openSync(path, O_PATH | O_NOFOLLOW);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "open");
    }
    if (fstatSync(fd).isSymbolicLink()) {
      closeSync(fd);
      throw safeFsError("symlink_escape", `${this.pathOf(name)} is a symlink; it is not followed.`, this.pathOf(name), "ELOOP");
    }
    return fd;
  }

  /** Walks down `parts` one component at a time; with `create`, makes missing folders on the way (mkdir -p). */
  openPath(parts: readonly string[], options: { create?: boolean } = {}): SafeDir {
    let current = this.duplicate();
    try {
      for (const name of parts) {
        let next: SafeDir;
        try {
          next = current.openDir(name);
        } catch (error) {
          if (!options.create || safeFsReason(error) !== "not_found") throw error;
          current.mkdir(name, { existOk: true });
          next = current.openDir(name);
        }
        current.close();
        current = next;
      }
      return current;
    } catch (error) {
      current.close();
      throw error;
    }
  }

  /** A second handle on this same directory, for openPath (the caller closes what it returns). */
  private duplicate(): SafeDir {
    const path = this.self();
    let fd: number;
    try {
      fd = openSync(path, O_RDONLY | O_DIRECTORY);
    } catch (error) {
      throw fromErrno(error, this.relative || ".", "reopen folder");
    }
    const stats = fstatSync(fd);
    if (stats.dev !== this.dev || stats.ino !== this.ino) {
      closeSync(fd);
      throw safeFsError("changed_during_check", `${this.relative || "."} was moved or replaced while in use.`, this.relative);
    }
    return new SafeDir(fd, this.absolute, this.relative, this.dev, this.ino, this.resolution);
  }

  /** lstat of an entry (never follows it), or null when it does not exist. */
  lstat(name: string): Stats | null {
    const path = this.at(name);
    try {
      return lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw fromErrno(error, this.pathOf(name), "lstat");
    }
  }

  /** The directory's entries with their types (readdir of the descriptor, not of a path). */
  entries(): Dirent[] {
    const path = this.self();
    try {
      return readdirSync(path, { withFileTypes: true });
    } catch (error) {
      throw fromErrno(error, this.relative || ".", "list folder");
    }
  }

  /** Opens a regular file for reading; symlinks, fifos and devices are refused. */
  async openFile(name: string): Promise<FileHandle> {
    const path = this.at(name);
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a fifo planted under the name must not hang the backend in open().
      handle = await open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "open");
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw safeFsError("not_regular_file", `${this.pathOf(name)} is not a regular file.`, this.pathOf(name));
    }
    return handle;
  }

  /** Reads a regular file of at most `maxBytes` whole, with the stats of what was read. */
  readFile(name: string, maxBytes: number): { data: Buffer; stats: Stats } {
    const path = this.at(name);
    let fd: number;
    try {
      fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "open");
    }
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw safeFsError("not_regular_file", `${this.pathOf(name)} is not a regular file.`, this.pathOf(name));
      if (stats.size > maxBytes) throw safeFsError("too_large", `${this.pathOf(name)} is larger than ${maxBytes} bytes.`, this.pathOf(name));
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
        const read = readSync(fd, chunk, 0, chunk.length, null);
        if (read === 0) break;
        chunks.push(chunk.subarray(0, read));
        total += read;
        if (total > maxBytes) throw safeFsError("too_large", `${this.pathOf(name)} grew past ${maxBytes} bytes.`, this.pathOf(name));
      }
      return { data: Buffer.concat(chunks), stats };
    } finally {
      closeSync(fd);
    }
  }

  /** Creates a new file (O_CREAT|O_EXCL|O_NOFOLLOW: never an existing file, never through a symlink); returns its fd. */
  createExclusive(name: string, mode = 0o644): number {
    const path = this.at(name);
    try {
      return openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "create");
    }
  }

  mkdir(name: string, options: { mode?: number; existOk?: boolean } = {}): void {
    const path = this.at(name);
    try {
      mkdirSync(path, { mode: options.mode ?? 0o777 });
    } catch (error) {
      // An existing entry is only fine when it is a real folder; a symlink there is refused by the next openDir.
      if (options.existOk && (error as NodeJS.ErrnoException).code === "EEXIST") return;
      throw fromErrno(error, this.pathOf(name), "mkdir");
    }
  }

  /** rename(2) within this directory: replaces `to` itself (a file or symlink there is not followed). */
  rename(from: string, to: string): void {
    const source = this.at(from);
    const target = this.at(to);
    try {
      renameSync(source, target);
    } catch (error) {
      throw fromErrno(error, this.pathOf(to), `rename ${from}`);
    }
  }

  unlink(name: string): void {
    const path = this.at(name);
    try {
      unlinkSync(path);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "unlink");
    }
  }

  rmdir(name: string): void {
    const path = this.at(name);
    try {
      rmdirSync(path);
    } catch (error) {
      throw fromErrno(error, this.pathOf(name), "rmdir");
    }
  }

  /**
   * rm -r of one entry, never leaving this directory: folders are entered through no-follow
   * descriptors, and a symlink (anywhere in the tree) is unlinked, never followed. A missing entry is
   * fine. `budget.entries` caps how many entries it removes (too_many_entries beyond).
   */
  removeTree(name: string, budget: { entries: number } = { entries: 1_000_000 }): void {
    const stats = this.lstat(name);
    if (!stats) return;
    if (--budget.entries < 0) throw safeFsError("too_many_entries", `${this.pathOf(name)} has too many entries to remove.`, this.pathOf(name));
    if (!stats.isDirectory()) {
      this.unlink(name);
      return;
    }
    let child: SafeDir;
    try {
      child = this.openDir(name);
    } catch (error) {
      // Swapped for a symlink since the lstat: remove the link itself.
      if (safeFsReason(error) !== "symlink_escape") throw error;
      this.unlink(name);
      return;
    }
    try {
      for (const entry of child.entries()) child.removeTree(entry.name, budget);
    } finally {
      child.close();
    }
    this.rmdir(name);
  }

  fstat(): Stats {
    return fstatSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
