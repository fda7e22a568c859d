import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Db } from "../storage/database";
import { ChatRepository, type ChatRepositoryOptions } from "./repository";
import { chatMigrations } from "./schema";

/** Test support: a real SQLite file in a temp dir, with the chat schema. */
export interface TestDb {
  dir: string;
  path: string;
  db: Db;
  repo: ChatRepository;
  /** A settable clock, starting at 2025-06-15 12:00 local time. */
  clock: { now: number };
  cleanup: () => void;
}

export function openTestDb(options: ChatRepositoryOptions = {}): TestDb {
  const dir = mkdtempSync(join(tmpdir(), "m2d-chat-"));
  const path = join(dir, "chat.sqlite");
  const db = openDatabase({ path, migrations: chatMigrations });
  const clock = { now: new Date(2025, 5, 15, 12, 0, 0).getTime() };
  let n = 0;
  const repo = new ChatRepository(db, {
    now: () => clock.now,
    newId: () => `id-${String(++n).padStart(4, "0")}`,
    ...options,
  });
  return {
    dir, path, db, repo, clock,
    cleanup: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
