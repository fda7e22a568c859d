import { statSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Db } from "../storage/database";
import { bootId } from "./boot-id";

/** When each model was last loaded, and which ones are the user's own files (imported by reference). */
export const libraryUsageMigration = {
  name: "library_usage",
  sql: `
ALTER TABLE library_models ADD COLUMN last_used_at INTEGER;
ALTER TABLE library_models ADD COLUMN external INTEGER NOT NULL DEFAULT 0;
`,
} as const;

/**
 * Files handed over before their data reached the disk, and on which boot: completion does not
 * wait for fdatasync. If that boot ended first, the file may have lost bytes and is not trusted.
 */
export const libraryDurabilityMigration = {
  name: "library_durability",
  sql: "ALTER TABLE library_files ADD COLUMN unsynced_boot TEXT;",
} as const;

/** SQL: a file row whose bytes are durable, or still in this boot's page cache. */
const TRUSTED = "(unsynced_boot IS NULL OR unsynced_boot = @boot)";

export interface LibraryModelInput {
  id: string;
  repo: string | null;
  quant: string | null;
  primaryPath: string;
  totalBytes: number;
  fileCount: number;
}

export interface LibraryModelRow extends LibraryModelInput {
  verified: boolean;
  lastUsedAt: number | null;
  external: boolean;
}

export interface LibraryFileInput {
  path: string;
  modelId: string;
  size: number;
  sha256: string;
  /** "hub": matched the Hub's LFS sha256; "local": no published hash, computed here. */
  sha256Source: "hub" | "local";
  mtimeMs: number;
  /** Set when the file's data was not fdatasync'ed yet; `markDurable` clears it. */
  unsyncedBoot?: string | null;
}

/** Which models are on disk and proven intact. */
export class Library {
  constructor(private readonly db: Db) {}

  /**
   * Registers a model as not yet verified. A re-download of the same files takes over the old
   * entry, keeping its already verified files so they are not fetched again.
   */
  ensureModel(model: LibraryModelInput): void {
    const db = this.db;
    db.transaction(() => {
      const previous = db.prepare("SELECT id FROM library_models WHERE primary_path = ? AND id != ?").pluck().get(model.primaryPath, model.id) as string | undefined;
      const kept = previous ? (db.prepare("SELECT * FROM library_files WHERE model_id = ?").all(previous) as Array<Record<string, unknown>>) : [];
      if (previous) db.prepare("DELETE FROM library_models WHERE id = ?").run(previous);
      db.prepare(
        `INSERT INTO library_models (id, repo, quant, primary_path, total_bytes, file_count, verified)
         VALUES (?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT(id) DO UPDATE SET total_bytes = excluded.total_bytes, file_count = excluded.file_count`,
      ).run(model.id, model.repo, model.quant, model.primaryPath, model.totalBytes, model.fileCount);
      const insert = db.prepare(
        `INSERT OR REPLACE INTO library_files (path, model_id, size, sha256, sha256_source, mtime_ms, verified, verified_at, unsynced_boot)
         VALUES (@path, @model_id, @size, @sha256, @sha256_source, @mtime_ms, @verified, @verified_at, @unsynced_boot)`,
      );
      for (const row of kept) insert.run({ ...row, model_id: model.id });
    })();
  }

  /** The model registered at `primaryPath`, if any. */
  modelAt(primaryPath: string): { id: string; verified: boolean } | undefined {
    const row = this.db.prepare("SELECT id, verified FROM library_models WHERE primary_path = ?").get(primaryPath) as
      | { id: string; verified: number }
      | undefined;
    return row ? { id: row.id, verified: row.verified === 1 } : undefined;
  }

  recordVerifiedFile(file: LibraryFileInput): void {
    this.db
      .prepare(
        `INSERT INTO library_files (path, model_id, size, sha256, sha256_source, mtime_ms, verified, verified_at, unsynced_boot)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT(path) DO UPDATE SET model_id = excluded.model_id, size = excluded.size, sha256 = excluded.sha256,
           sha256_source = excluded.sha256_source, mtime_ms = excluded.mtime_ms, verified = 1, verified_at = excluded.verified_at,
           unsynced_boot = excluded.unsynced_boot`,
      )
      .run(file.path, file.modelId, file.size, file.sha256, file.sha256Source, Math.trunc(file.mtimeMs), Date.now(), file.unsyncedBoot ?? null);
  }

  /** Whether a file of the model was handed over on an earlier boot that ended before its fdatasync. */
  lostToReboot(id: string): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM library_files WHERE model_id = @id AND NOT ${TRUSTED}`)
        .get({ id, boot: bootId() }) !== undefined
    );
  }

  /** Verified files whose bytes an earlier boot ended before syncing, still unchanged on disk since. */
  filesLostToReboot(): Array<{ path: string; size: number; sha256: string }> {
    const rows = this.db
      .prepare(`SELECT path, size, sha256, mtime_ms FROM library_files WHERE verified = 1 AND NOT ${TRUSTED}`)
      .all({ boot: bootId() }) as Array<{ path: string; size: number; sha256: string; mtime_ms: number }>;
    return rows.filter((r) => unchangedOnDisk(r.path, r.size, r.mtime_ms)).map(({ path, size, sha256 }) => ({ path, size, sha256 }));
  }

  /** The file's data and name are on disk now (fdatasync'ed): a reboot can no longer take them. */
  markDurable(path: string): void {
    this.db.prepare("UPDATE library_files SET unsynced_boot = NULL WHERE path = ?").run(resolve(path));
  }

  /** Flags the model verified once every one of its files is; returns whether it is. */
  completeModel(id: string): boolean {
    const row = this.db
      .prepare(
        `SELECT m.file_count AS expected, COUNT(f.path) AS verified FROM library_models m
         LEFT JOIN library_files f ON f.model_id = m.id AND f.verified = 1 WHERE m.id = ? GROUP BY m.id`,
      )
      .get(id) as { expected: number; verified: number } | undefined;
    if (!row || row.verified !== row.expected) return false;
    this.db.prepare("UPDATE library_models SET verified = 1, verified_at = ? WHERE id = ?").run(Date.now(), id);
    return true;
  }

  /** A file already verified at `path` that still has the size we expect: no need to fetch it again. */
  hasIntactFile(path: string, size: number): { sha256: string; sha256Source: "hub" | "local" } | undefined {
    const row = this.db
      .prepare(`SELECT size, sha256, sha256_source, mtime_ms FROM library_files WHERE path = @path AND verified = 1 AND ${TRUSTED}`)
      .get({ path: resolve(path), boot: bootId() }) as { size: number; sha256: string; sha256_source: "hub" | "local"; mtime_ms: number } | undefined;
    if (!row || row.size !== size || !unchangedOnDisk(path, row.size, row.mtime_ms)) return undefined;
    return { sha256: row.sha256, sha256Source: row.sha256_source };
  }

  list(): LibraryModelRow[] {
    const rows = this.db
      .prepare("SELECT id, repo, quant, primary_path, total_bytes, file_count, verified, last_used_at, external FROM library_models ORDER BY repo, quant, primary_path")
      .all() as Array<{ id: string; repo: string | null; quant: string | null; primary_path: string; total_bytes: number; file_count: number; verified: number; last_used_at: number | null; external: number }>;
    return rows.map((r) => ({
      id: r.id, repo: r.repo, quant: r.quant, primaryPath: r.primary_path, totalBytes: r.total_bytes, fileCount: r.file_count,
      verified: r.verified === 1, lastUsedAt: r.last_used_at, external: r.external === 1,
    }));
  }

  /** Paths of every file the library tracks, so a scan can skip them. */
  knownPaths(): Set<string> {
    return new Set(this.db.prepare("SELECT path FROM library_files").pluck().all() as string[]);
  }

  /** Stamps the model owning `path` (any of its files) as used now; false if the library does not know it. */
  markUsed(path: string): boolean {
    const id = this.db.prepare("SELECT model_id FROM library_files WHERE path = ?").pluck().get(resolve(path)) as string | undefined;
    if (!id) return false;
    this.db.prepare("UPDATE library_models SET last_used_at = ? WHERE id = ?").run(Date.now(), id);
    return true;
  }

  setExternal(id: string, external: boolean): void {
    this.db.prepare("UPDATE library_models SET external = ? WHERE id = ?").run(external ? 1 : 0, id);
  }

  /**
   * Removes a model from the library. Its files are deleted (with any partials) unless it was
   * imported by reference, whose files are the user's own. Returns the bytes freed on disk.
   */
  async remove(id: string): Promise<{ freedBytes: number; deletedFiles: boolean } | undefined> {
    const model = this.db.prepare("SELECT external FROM library_models WHERE id = ?").get(id) as { external: number } | undefined;
    if (!model) return undefined;
    const paths = this.db.prepare("SELECT path FROM library_files WHERE model_id = ?").pluck().all(id) as string[];
    // Forget first: a crash halfway through deleting must not leave a "verified" model with files missing.
    this.db.prepare("DELETE FROM library_models WHERE id = ?").run(id);
    if (model.external === 1) return { freedBytes: 0, deletedFiles: false };
    let freedBytes = 0;
    for (const path of paths) {
      for (const file of [path, `${path}.partial`]) {
        freedBytes += await stat(file).then((s) => s.size, () => 0);
        await rm(file, { force: true });
      }
    }
    return { freedBytes, deletedFiles: true };
  }

  /** Forgets an unfinished model; returns the paths of the files it had finished. */
  forgetUnverified(id: string): string[] {
    const verified = this.db.prepare("SELECT verified FROM library_models WHERE id = ?").pluck().get(id) as number | undefined;
    if (verified === undefined || verified === 1) return [];
    const paths = this.db.prepare("SELECT path FROM library_files WHERE model_id = ?").pluck().all(id) as string[];
    this.db.prepare("DELETE FROM library_models WHERE id = ?").run(id);
    return paths;
  }
}

function unchangedOnDisk(path: string, size: number, mtimeMs: number): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && stat.size === size && Math.trunc(stat.mtimeMs) === mtimeMs;
  } catch {
    return false;
  }
}

/**
 * True only for a file of a model whose every file finished downloading, matched its hash,
 * passed the GGUF check and is still on disk unchanged (size and mtime) since then, with its
 * bytes either fdatasync'ed or written on this boot.
 */
export function isLoadable(db: Db, path: string): boolean {
  const absolute = resolve(path);
  const file = db
    .prepare("SELECT model_id FROM library_files WHERE path = ? AND verified = 1")
    .get(absolute) as { model_id: string } | undefined;
  if (!file) return false;
  const model = db
    .prepare("SELECT file_count, verified FROM library_models WHERE id = ?")
    .get(file.model_id) as { file_count: number; verified: number } | undefined;
  if (!model || model.verified !== 1) return false;
  const files = db
    .prepare(`SELECT path, size, mtime_ms, verified, ${TRUSTED} AS trusted FROM library_files WHERE model_id = @id`)
    .all({ id: file.model_id, boot: bootId() }) as Array<{ path: string; size: number; mtime_ms: number; verified: number; trusted: number }>;
  if (files.length !== model.file_count) return false;
  return files.every((f) => f.verified === 1 && f.trusted === 1 && unchangedOnDisk(f.path, f.size, f.mtime_ms));
}
