import type { AppErrorData } from "../../app/contract";
import type { Db } from "../storage/database";
import type { Chunk } from "./chunk-plan";
import type { ModelRef } from "./model-ref";

export type DownloadState = "queued" | "running" | "paused" | "completed" | "failed" | "cancelled";

export interface SourceRow {
  idx: number;
  /** The resolve URL (Hub) or the plain URL; CDN URLs expire, so they are never stored. */
  url: string;
  offset: number;
  size: number;
  sha256: string | null;
  etag: string | null;
  rangeable: boolean;
}

export interface FileRow {
  idx: number;
  finalPath: string;
  size: number;
  verified: boolean;
  sources: SourceRow[];
  chunks: Chunk[];
  /** Bytes of each chunk known to be fdatasync'ed (same order as chunks). */
  synced?: number[];
  /** Boot on which `done` was recorded; on another boot only `synced` is trusted. */
  bootId?: string | null;
}

export interface DownloadRow {
  id: string;
  ref: ModelRef;
  repo: string | null;
  quant: string | null;
  destDir: string;
  state: DownloadState;
  error: AppErrorData | null;
  totalBytes: number;
  createdAt: number;
  updatedAt: number;
}

export interface DownloadRecord extends DownloadRow {
  files: FileRow[];
}

interface RawDownload {
  id: string; ref: string; repo: string | null; quant: string | null; dest_dir: string; state: DownloadState;
  error: string | null; total_bytes: number; created_at: number; updated_at: number;
}

/** Persistence of downloads and their byte-level progress. */
export class DownloadStore {
  constructor(private readonly db: Db) {}

  create(record: DownloadRecord): void {
    const db = this.db;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO downloads (id, ref, repo, quant, dest_dir, state, error, total_bytes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(record.id, JSON.stringify(record.ref), record.repo, record.quant, record.destDir, record.state,
        record.error ? JSON.stringify(record.error) : null, record.totalBytes, record.createdAt, record.updatedAt);
      for (const file of record.files) {
        db.prepare("INSERT INTO download_files (download_id, idx, final_path, size, verified) VALUES (?, ?, ?, ?, ?)").run(
          record.id, file.idx, file.finalPath, file.size, file.verified ? 1 : 0);
        this.writeLayout(record.id, file);
      }
    })();
  }

  get(id: string): DownloadRecord | undefined {
    const raw = this.db.prepare("SELECT * FROM downloads WHERE id = ?").get(id) as RawDownload | undefined;
    return raw ? this.hydrate(raw) : undefined;
  }

  list(): DownloadRecord[] {
    const rows = this.db.prepare("SELECT * FROM downloads ORDER BY created_at").all() as RawDownload[];
    return rows.map((r) => this.hydrate(r));
  }

  setState(id: string, state: DownloadState, error: AppErrorData | null = null): void {
    this.db.prepare("UPDATE downloads SET state = ?, error = ?, updated_at = ? WHERE id = ?").run(
      state, error ? JSON.stringify(error) : null, Date.now(), id);
  }

  /** Written bytes per chunk, in one transaction, stamped with the current boot. */
  saveProgress(id: string, fileIdx: number, chunks: ReadonlyArray<{ idx: number; done: number }>, boot: string): void {
    const update = this.db.prepare("UPDATE download_chunks SET done = ? WHERE download_id = ? AND file_idx = ? AND idx = ?");
    this.db.transaction(() => {
      for (const c of chunks) update.run(c.done, id, fileIdx, c.idx);
      this.db.prepare("UPDATE download_files SET boot_id = ? WHERE download_id = ? AND idx = ?").run(boot, id, fileIdx);
    })();
  }

  /** Bytes per chunk that an fdatasync has made durable. */
  saveSynced(id: string, fileIdx: number, chunks: ReadonlyArray<{ idx: number; synced: number }>): void {
    const update = this.db.prepare("UPDATE download_chunks SET synced = ? WHERE download_id = ? AND file_idx = ? AND idx = ?");
    this.db.transaction(() => {
      for (const c of chunks) update.run(c.synced, id, fileIdx, c.idx);
    })();
  }

  /** New sources and chunks for a file whose remote object changed, or whose bytes failed the hash. */
  replaceLayout(id: string, file: FileRow): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM download_chunks WHERE download_id = ? AND file_idx = ?").run(id, file.idx);
      this.db.prepare("DELETE FROM download_sources WHERE download_id = ? AND file_idx = ?").run(id, file.idx);
      this.db.prepare("UPDATE download_files SET size = ?, verified = 0 WHERE download_id = ? AND idx = ?").run(file.size, id, file.idx);
      this.writeLayout(id, file);
      const total = this.db.prepare("SELECT SUM(size) FROM download_files WHERE download_id = ?").pluck().get(id) as number;
      this.db.prepare("UPDATE downloads SET total_bytes = ?, updated_at = ? WHERE id = ?").run(total, Date.now(), id);
    })();
  }

  markFileVerified(id: string, fileIdx: number): void {
    this.db.prepare("UPDATE download_files SET verified = 1 WHERE download_id = ? AND idx = ?").run(id, fileIdx);
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM downloads WHERE id = ?").run(id);
  }

  /** The unfinished download already writing `path`, if any. */
  activeFor(path: string): string | undefined {
    return this.db
      .prepare(
        `SELECT d.id FROM downloads d JOIN download_files f ON f.download_id = d.id
         WHERE f.final_path = ? AND d.state NOT IN ('completed', 'cancelled')`,
      )
      .pluck()
      .get(path) as string | undefined;
  }

  private writeLayout(id: string, file: FileRow): void {
    const source = this.db.prepare(
      `INSERT INTO download_sources (download_id, file_idx, idx, url, offset, size, sha256, etag, rangeable)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const chunk = this.db.prepare(
      "INSERT INTO download_chunks (download_id, file_idx, idx, start, end, done, synced) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const s of file.sources) source.run(id, file.idx, s.idx, s.url, s.offset, s.size, s.sha256, s.etag, s.rangeable ? 1 : 0);
    // A new layout starts from what the caller says is there (0, or whole files already verified).
    for (const c of file.chunks) chunk.run(id, file.idx, c.idx, c.start, c.end, c.done, c.done);
  }

  private hydrate(raw: RawDownload): DownloadRecord {
    const files = this.db
      .prepare("SELECT idx, final_path, size, verified, boot_id FROM download_files WHERE download_id = ? ORDER BY idx")
      .all(raw.id) as Array<{ idx: number; final_path: string; size: number; verified: number; boot_id: string | null }>;
    const sources = this.db
      .prepare("SELECT * FROM download_sources WHERE download_id = ? ORDER BY file_idx, idx")
      .all(raw.id) as Array<{ file_idx: number; idx: number; url: string; offset: number; size: number; sha256: string | null; etag: string | null; rangeable: number }>;
    const chunks = this.db
      .prepare("SELECT file_idx, idx, start, end, done, synced FROM download_chunks WHERE download_id = ? ORDER BY file_idx, idx")
      .all(raw.id) as Array<{ file_idx: number; idx: number; start: number; end: number; done: number; synced: number }>;
    return {
      id: raw.id,
      ref: JSON.parse(raw.ref) as ModelRef,
      repo: raw.repo,
      quant: raw.quant,
      destDir: raw.dest_dir,
      state: raw.state,
      error: raw.error ? (JSON.parse(raw.error) as AppErrorData) : null,
      totalBytes: raw.total_bytes,
      createdAt: raw.created_at,
      updatedAt: raw.updated_at,
      files: files.map((f) => ({
        idx: f.idx,
        finalPath: f.final_path,
        size: f.size,
        verified: f.verified === 1,
        bootId: f.boot_id,
        synced: chunks.filter((c) => c.file_idx === f.idx).map((c) => c.synced),
        sources: sources.filter((s) => s.file_idx === f.idx).map((s) => ({
          idx: s.idx, url: s.url, offset: s.offset, size: s.size, sha256: s.sha256, etag: s.etag, rangeable: s.rangeable === 1,
        })),
        chunks: chunks.filter((c) => c.file_idx === f.idx).map((c) => ({ idx: c.idx, start: c.start, end: c.end, done: c.done })),
      })),
    };
  }
}
