import { AppError } from "../../app/contract/errors";
import type { Db } from "../storage/database";
import { cachedStatement } from "./context";

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/**
 * Marks a streaming answer failed with `error`. Its writes failed (a full disk, say), so this
 * write may fail too: it is retried, with backoff, until SQLite takes it, the row has left
 * `streaming`, or the database is closed. A restart in between marks the row interrupted.
 */
export function markStreamFailed(db: Db, messageId: string, error: string): void {
  let delay = FIRST_RETRY_MS;
  const attempt = (): void => {
    try {
      cachedStatement(db, "UPDATE messages SET status = 'error', error = ?, updated_at = ? WHERE id = ? AND status = 'streaming'").run(
        error,
        Date.now(),
        messageId,
      );
    } catch (failure) {
      if (!db.open || AppError.from(failure).code !== "storage") return;
      setTimeout(attempt, delay).unref();
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  };
  attempt();
}
