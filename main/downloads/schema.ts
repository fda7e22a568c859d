/**
 * Tables of the download manager. The integrator appends `downloadsMigration` to
 * main/storage/migrations; tests pass it with their own list.
 */
const sql = `
-- Hub listings, so the catalog shows names, parts, sizes and hashes offline after one look-up.
CREATE TABLE hub_files (
  repo TEXT NOT NULL,
  revision TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT,
  oid TEXT,
  fetched_at INTEGER NOT NULL,
  PRIMARY KEY (repo, revision, path)
) STRICT;

CREATE TABLE downloads (
  id TEXT PRIMARY KEY,
  ref TEXT NOT NULL,            -- the ModelRef as JSON
  repo TEXT,
  quant TEXT,
  dest_dir TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
  error TEXT,                   -- AppErrorData as JSON while paused or failed
  total_bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One row per file written to disk (a shard, or several byte-split parts joined).
CREATE TABLE download_files (
  download_id TEXT NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  final_path TEXT NOT NULL,
  size INTEGER NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  boot_id TEXT,                 -- the boot on which "done" was last recorded
  PRIMARY KEY (download_id, idx)
) STRICT;

-- Remote objects that fill a file, each at an offset; etag/size validate a resume.
CREATE TABLE download_sources (
  download_id TEXT NOT NULL,
  file_idx INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  url TEXT NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT,
  etag TEXT,
  rangeable INTEGER NOT NULL,
  PRIMARY KEY (download_id, file_idx, idx),
  FOREIGN KEY (download_id, file_idx) REFERENCES download_files(download_id, idx) ON DELETE CASCADE
) STRICT;

-- Byte ranges of a file. "done": bytes from "start" written (safe across a process crash);
-- "synced": bytes also fdatasync'ed (safe across a reboot).
CREATE TABLE download_chunks (
  download_id TEXT NOT NULL,
  file_idx INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  synced INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (download_id, file_idx, idx),
  FOREIGN KEY (download_id, file_idx) REFERENCES download_files(download_id, idx) ON DELETE CASCADE
) STRICT;

-- Models on disk; only verified ones may be loaded.
CREATE TABLE library_models (
  id TEXT PRIMARY KEY,
  repo TEXT,
  quant TEXT,
  primary_path TEXT NOT NULL UNIQUE,
  total_bytes INTEGER NOT NULL,
  file_count INTEGER NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  verified_at INTEGER
) STRICT;

CREATE TABLE library_files (
  path TEXT PRIMARY KEY,
  model_id TEXT NOT NULL REFERENCES library_models(id) ON DELETE CASCADE,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  sha256_source TEXT NOT NULL CHECK (sha256_source IN ('hub', 'local')),
  mtime_ms INTEGER NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  verified_at INTEGER
) STRICT;
CREATE INDEX library_files_model ON library_files(model_id);
`;

export const downloadsMigration = { version: 100, name: "downloads", sql } as const;
