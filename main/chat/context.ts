import { randomUUID } from "node:crypto";
import type { Statement } from "better-sqlite3";
import type { Db } from "../storage/database";

/** What every chat store function needs: the database, a clock and an id source (both injectable for tests). */
export interface ChatContext {
  db: Db;
  now: () => number;
  newId: () => string;
  /** A cached prepared statement: preparing costs more than running most of ours. */
  prepare: (sql: string) => Statement;
}

export interface ChatContextOptions {
  now?: () => number;
  newId?: () => string;
}

const caches = new WeakMap<Db, Map<string, Statement>>();

export function cachedStatement(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

export function chatContext(db: Db, options: ChatContextOptions = {}): ChatContext {
  return {
    db,
    now: options.now ?? Date.now,
    newId: options.newId ?? randomUUID,
    prepare: (sql) => cachedStatement(db, sql),
  };
}
