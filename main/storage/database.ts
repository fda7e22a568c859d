import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "../../app/contract";
import { migrations as defaultMigrations } from "./migrations";

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  path: string;
  migrations?: ReadonlyArray<{ version: number; name: string; sql: string }>;
  /** Electron's main process loads an Electron-ABI build of better-sqlite3 kept apart from Node's. */
  nativeBinding?: string;
}

export function openDatabase({ path, migrations = defaultMigrations, nativeBinding }: OpenDatabaseOptions): Db {
  mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    throw new AppError("storage", `Could not open the database at ${path}: ${AppError.from(error).message}`, { path });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations);
  return db;
}

export function migrate(db: Db, migrations: ReadonlyArray<{ version: number; name: string; sql: string }>): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied = new Set(
    db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
  );
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new AppError("storage", `The database was written by a newer version of M2 Desktop (schema ${newest} > ${known}).`, { newest, known });
  }
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version, migration.name, Date.now(),
      );
    })();
  }
}

export function schemaVersion(db: Db): number {
  return (db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").pluck().get() as number) ?? 0;
}
