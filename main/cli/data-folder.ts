import type { DataFolderOwner } from "../../app/contract";
import { databasePath } from "../paths";
import { acquireDataLock, liveDataFolderOwner } from "../storage/data-lock";
import { openDatabase, type Db } from "../storage/database";
import { connectToOwner, type HostConnection } from "./host-client";

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

/**
 * The same, except that when a running host owns the folder (it advertises its URL in the lock), the work goes
 * to that host over its WebSocket instead: the folder keeps its one writer and the command still does its job.
 */
export async function withDataFolderOrHost<T>(
  dataDir: string,
  ways: { host: (host: HostConnection, owner: DataFolderOwner) => Promise<T>; local: (db: Db) => Promise<T> },
): Promise<T> {
  const owner = liveDataFolderOwner(dataDir);
  const host = owner ? await connectToOwner(owner) : null;
  if (!owner || !host) return withDataFolder(dataDir, ways.local);
  try {
    return await ways.host(host, owner);
  } finally {
    host.close();
  }
}
