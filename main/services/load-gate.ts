import { resolve } from "node:path";
import { AppError } from "../../app/contract";
import { isLoadable } from "../downloads";
import type { Db } from "../storage/database";

/**
 * A model the download manager knows about loads only once every file is complete and verified.
 * Files the library has never seen (opened by path) are the user's own and go to GGUF validation.
 */
export function assertLoadable(db: Db, path: string): void {
  const known = db.prepare("SELECT 1 FROM library_files WHERE path = ?").get(resolve(path));
  if (known && !isLoadable(db, path)) {
    throw new AppError("model_invalid", "This model has not finished downloading and verifying, so it cannot be loaded.", {
      path,
      reason: "unverified",
    });
  }
}
