import { randomBytes } from "node:crypto";
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  AppError,
  DataFolderOwnerSchema,
  dataFolderInUseMessage,
  type DataFolderOwner,
  type DataFolderOwnerKind,
} from "../../app/contract";

/**
 * One owner per data folder: the backend (Electron, `m2d serve`, an `m2d` command that opens the database) holds
 * `m2d.lock` while it runs, so two of them never resume the same downloads or write the same `.partial` files.
 *
 * The lock appears atomically with its whole content (written aside, then hard-linked into place: link fails if the
 * name exists). A lock whose holder is gone — dead pid, or a pid reused by another process after a crash or a
 * reboot — is taken over; the takeover itself runs under a short O_EXCL mutex, so two processes that both found
 * the same stale lock cannot both remove it and both win.
 */
export interface DataLock {
  readonly owner: DataFolderOwner;
  /** Records how to reach the running host (its UI URL and launch token) for other programs on this folder. */
  advertise(host: { url: string; token: string }): void;
  /** Removes the lock if it is still ours; idempotent. Also runs on process exit. */
  release(): void;
}

export const LOCK_FILE = "m2d.lock";
const TAKEOVER_FILE = "m2d.lock.takeover";
const TOKEN_FILE = "m2d.lock.token";
/** A takeover is a few syscalls; a mutex older than this was left by a process that died inside one. */
const TAKEOVER_STALE_MS = 10_000;
/** How long to keep trying while other processes take a stale lock over. */
const CONTENTION_MS = 5_000;

export function dataLockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** Takes the data folder's lock, or throws `data_dir_in_use` naming the live owner. */
export function acquireDataLock(dataDir: string, kind: DataFolderOwnerKind): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const path = dataLockPath(dataDir);
  const me = describeSelf(kind);
  const content = JSON.stringify(me);
  const deadline = Date.now() + CONTENTION_MS;
  while (Date.now() < deadline) {
    if (linkNew(path, content)) return heldLock(dataDir, me);
    const current = readRaw(path);
    if (current === null) continue; // released meanwhile: try again
    const owner = parseOwner(current);
    if (owner && isAlive(owner)) throw inUse(owner);
    if (!takeOverStale(dataDir, path, current)) sleepSync(5 + Math.random() * 20);
  }
  const owner = parseOwner(readRaw(path) ?? "");
  if (owner) throw inUse(owner);
  throw new AppError("storage", `Could not take the data folder's lock ${path}: it keeps changing.`);
}

/** The live owner of a data folder, if any (without taking anything). */
export function liveDataFolderOwner(dataDir: string): DataFolderOwner | null {
  const owner = parseOwner(readRaw(dataLockPath(dataDir)) ?? "");
  return owner && isAlive(owner) ? owner : null;
}

/** The launch token a host advertised in its lock (a 0600 file beside it). */
export function readAdvertisedToken(owner: DataFolderOwner): string | null {
  if (!owner.host) return null;
  try {
    return readFileSync(owner.host.tokenFile, "utf8").trim() || null;
  } catch {
    return null;
  }
}

function inUse(owner: DataFolderOwner): AppError {
  return new AppError("data_dir_in_use", dataFolderInUseMessage(owner), owner);
}

function describeSelf(kind: DataFolderOwnerKind): DataFolderOwner {
  return {
    pid: process.pid,
    kind,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    bootId: bootId(),
    processStart: processStartOf(process.pid),
    nonce: randomBytes(12).toString("hex"),
  };
}

function heldLock(dataDir: string, initial: DataFolderOwner): DataLock {
  const path = dataLockPath(dataDir);
  let owner = initial;
  let held = true;
  const tokenFile = join(dataDir, TOKEN_FILE);
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    const current = parseOwner(readRaw(path) ?? "");
    // Only our own lock: a stale-lock takeover never removes a live one, so a foreign lock here means ours is gone.
    if (current?.nonce !== owner.nonce) return;
    if (owner.host) removeQuietly(tokenFile);
    removeQuietly(path);
  };
  process.on("exit", release);
  return {
    get owner() {
      return owner;
    },
    advertise({ url, token }) {
      if (!held) return;
      // Each file is replaced whole (rename is atomic): a reader sees the old content or the new, never half; and a
      // token file left by a crash (or a symlink in its place) is replaced, not written through with its own mode.
      replaceFile(tokenFile, token, owner.nonce);
      owner = { ...owner, host: { url, tokenFile } };
      replaceFile(path, JSON.stringify(owner), owner.nonce);
    },
    release,
  };
}

function replaceFile(path: string, content: string, nonce: string): void {
  const aside = `${path}.${nonce}.tmp`;
  writeFileSync(aside, content, { mode: 0o600 });
  renameSync(aside, path);
}

/** Creates the lock with its content in one step; false if the name is taken. */
function linkNew(path: string, content: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(aside, content, { mode: 0o600 });
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    removeQuietly(aside);
  }
}

/**
 * Removes the lock only if it still holds exactly the stale content we judged, under the takeover mutex.
 * False when another process holds the mutex (it is taking over right now).
 */
function takeOverStale(dataDir: string, path: string, staleContent: string): boolean {
  const mutex = join(dataDir, TAKEOVER_FILE);
  let fd: number;
  try {
    fd = openSync(mutex, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Someone else is taking over right now; if its mutex is old, that someone died mid-takeover.
    if (ageMs(mutex) > TAKEOVER_STALE_MS) removeQuietly(mutex);
    return false;
  }
  try {
    if (readRaw(path) === staleContent) removeQuietly(path);
    return true;
  } finally {
    closeSync(fd);
    removeQuietly(mutex);
  }
}

function parseOwner(raw: string): DataFolderOwner | null {
  try {
    const parsed = DataFolderOwnerSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Whether the lock's holder still runs. Another machine's lock (a shared folder) cannot be checked: it counts as
 * live. On Linux a pid is only the holder if it started when the holder did, in the same boot.
 */
export function isAlive(owner: DataFolderOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false; // ESRCH: no such process
  }
  if (owner.processStart === null) return true;
  const start = processStartOf(owner.pid);
  return start === null || start === owner.processStart;
}

function bootId(): string | null {
  if (process.platform !== "linux") return null;
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); the name in field 2 may hold spaces. */
function processStartOf(pid: number): string | null {
  if (process.platform !== "linux") return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
