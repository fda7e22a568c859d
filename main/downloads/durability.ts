import { open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Library } from "./library";
import { PrefixHasher } from "./prefix-hasher";

/**
 * fdatasyncs finished files after they are handed over, so a completed download does not wait
 * for the disk (the way curl or a browser finish). Until a file's sync is done the library keeps
 * it marked with this boot: a crash of the app loses nothing (the page cache has the bytes), and
 * after a reboot the file is not trusted until it is hashed again.
 */
export class DurabilityQueue {
  private readonly syncs = new Set<Promise<void>>();
  /** Not waited for on close: a re-hash of a large file takes minutes, and simply runs again next start. */
  private readonly rechecks = new Set<Promise<void>>();

  constructor(private readonly library: Library) {}

  /** Starts making `path` (data, then its directory entry) durable; failures leave it unsynced. */
  add(path: string): void {
    this.track(this.syncs, this.markSynced(path));
  }

  /**
   * Hashes again each file an earlier boot ended before syncing: one that still matches its
   * sha256 is what is on disk now, and is trusted again. A joined file (several digests) is
   * left for a new download. Runs in the background, like the syncs.
   */
  recheckLostToReboot(): void {
    for (const file of this.library.filesLostToReboot()) {
      if (file.sha256.includes(",")) continue;
      this.track(this.rechecks, rehashMatches(file).then((same) => (same ? this.markSynced(file.path) : undefined)));
    }
  }

  /** Waits for every sync started so far (on close, so a normal quit leaves everything on disk). */
  async drain(): Promise<void> {
    while (this.syncs.size > 0) await Promise.all(this.syncs);
  }

  /** Waits for the re-hashes started so far. */
  async rechecked(): Promise<void> {
    while (this.rechecks.size > 0) await Promise.all(this.rechecks);
  }

  private async markSynced(path: string): Promise<void> {
    await syncFileAndDirectory(path);
    this.library.markDurable(path);
  }

  private track(jobs: Set<Promise<void>>, work: Promise<void>): void {
    const job = work
      .catch(() => undefined) // a deleted or unreadable file stays untrusted after a reboot: safe
      .finally(() => jobs.delete(job));
    jobs.add(job);
  }
}

async function rehashMatches(file: { path: string; size: number; sha256: string }): Promise<boolean> {
  const hasher = new PrefixHasher(file.path, [{ offset: 0, size: file.size, sha256: file.sha256 }]);
  try {
    await hasher.finish(file.size);
    return hasher.digests[0] === file.sha256;
  } finally {
    await hasher.close();
  }
}

export async function syncFileAndDirectory(path: string): Promise<void> {
  const file = await open(path, "r+");
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
  // The rename lives in the directory. Windows cannot open a directory: NTFS logs renames itself.
  const dir = await open(dirname(path), "r").catch(() => null);
  if (!dir) return;
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the data above is what matters most.
  } finally {
    await dir.close();
  }
}
