import { z } from "zod";
import { detailsReader } from "./error-details";

/** Why a write to the app's storage failed: `details.reason` of a `storage` error. */
export const StorageReasonSchema = z.enum(["disk_full", "io_error", "read_only", "busy"]);
export type StorageReason = z.infer<typeof StorageReasonSchema>;

/** `details` of a `storage` error that SQLite raised (AppError.from builds it). */
export const StorageFailureDetailsSchema = z.object({ reason: StorageReasonSchema, sqliteCode: z.string() });
export type StorageFailureDetails = z.infer<typeof StorageFailureDetailsSchema>;

/** The typed details of a storage error SQLite raised, or undefined for any other error. */
export const storageFailureDetails = detailsReader(StorageFailureDetailsSchema, "storage");

/** SQLite's primary result codes (better-sqlite3 puts the extended one, e.g. SQLITE_IOERR_WRITE, on `error.code`). */
const SQLITE_REASONS: Readonly<Record<string, StorageReason>> = {
  SQLITE_FULL: "disk_full",
  SQLITE_IOERR: "io_error",
  SQLITE_READONLY: "read_only",
  SQLITE_BUSY: "busy",
  SQLITE_LOCKED: "busy",
};

const REASON_TEXT: Readonly<Record<StorageReason, string>> = {
  disk_full: "the disk is full",
  io_error: "the disk reported an I/O error",
  read_only: "the database is read-only",
  busy: "the database is locked by another process",
};

/** The storage failure an error stands for, when it is one of SQLite's; undefined otherwise. */
export function sqliteStorageFailure(error: unknown): { reason: StorageReason; sqliteCode: string; text: string } | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return undefined;
  const reason = SQLITE_REASONS[code.split("_", 2).join("_")];
  return reason === undefined ? undefined : { reason, sqliteCode: code, text: REASON_TEXT[reason] };
}
