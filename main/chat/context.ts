import { randomUUID } from "node:crypto";
import type { Db } from "../storage/database";

/** What every chat store function needs: the database, a clock and an id source (both injectable for tests). */
export interface ChatContext {
  db: Db;
  now: () => number;
  newId: () => string;
}

export interface ChatContextOptions {
  now?: () => number;
  newId?: () => string;
}

export function chatContext(db: Db, options: ChatContextOptions = {}): ChatContext {
  return { db, now: options.now ?? Date.now, newId: options.newId ?? randomUUID };
}
