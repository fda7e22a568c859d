import type { Db } from "./database";

/** The settings table: one JSON value per key. */

/** The stored value, or undefined when the key is absent or its JSON is broken (callers fall back to defaults). */
export function readSetting(db: Db, key: string): unknown {
  try {
    const value = db.prepare("SELECT value FROM settings WHERE key = ?").pluck().get(key) as string | undefined;
    return value === undefined ? undefined : JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function writeSetting(db: Db, key: string, value: unknown): void {
  db.prepare(
    "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  ).run(key, JSON.stringify(value), Date.now());
}
