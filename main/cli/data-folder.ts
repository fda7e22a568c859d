import { databasePath } from "../paths";
import { acquireDataLock } from "../storage/data-lock";
import { openDatabase, type Db } from "../storage/database";

/**
 * Runs an `m2d` command that opens the data folder's database as that folder's owner: it throws
 * `data_dir_in_use` (naming the app or host that runs there) rather than write beside it.
 */
export async function withDataFolder<T>(dataDir: string, work: (db: Db) => Promise<T>): Promise<T> {
  const lock = acquireDataLock(dataDir, "cli");
  try {
    const db = openDatabase({ path: databasePath(dataDir) });
    try {
      return await work(db);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}
