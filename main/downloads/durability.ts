import { open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Library } from "./library";

/**
 * fdatasyncs finished files after they are handed over, so a completed download does not wait
 * for the disk (the way curl or a browser finish). Until a file's sync is done the library keeps
 * it marked with this boot: a crash of the app loses nothing (the page cache has the bytes), and
 * after a reboot the file is not trusted.
 */
export class DurabilityQueue {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly library: Library) {}

  /** Starts making `path` (data, then its directory entry) durable; failures leave it unsynced. */
  add(path: string): void {
    const job = syncFileAndDirectory(path)
      .then(() => this.library.markDurable(path))
      .catch(() => undefined) // a deleted or unreadable file stays untrusted after a reboot: safe
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Waits for every sync started so far (on close, so a normal quit leaves everything on disk). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
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
