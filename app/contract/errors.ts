import { z } from "zod";
import { sqliteStorageFailure, type StorageFailureDetails } from "./storage-failure";

/** Every error that crosses a process boundary has this shape: data, never a thrown string. */
export const errorCodes = [
  "bad_request", // input failed contract validation
  "unauthorized", // missing or wrong token, or an untrusted IPC sender
  "not_found",
  "unknown_method",
  "internal",
  "backend_unreachable", // the UI lost its connection to the backend
  "engine_unavailable", // the engine process is down or restarting
  "engine_crashed", // the engine process died while serving the request
  "engine_busy",
  "model_invalid", // the GGUF failed validation before llama.cpp saw it
  "model_not_loaded",
  "context_overflow",
  "aborted",
  "storage",
  "data_dir_in_use", // another process holds the data folder's lock (details: DataFolderOwner)
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/**
 * `details` is open here; each family of reasons has its own schema and accessor, and is read only through
 * it (never cast): model-invalid.ts, storage-failure.ts, download-failure.ts, mcp-problem.ts,
 * safe-fs-failure.ts, data-folder-owner.ts, and the validation issues below. Where a record carries one family
 * (DownloadView.error), its schema narrows `details` so the wire checks them too.
 */
export const AppErrorDataSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type AppErrorData = z.infer<typeof AppErrorDataSchema>;

/** One zod issue of input that failed a schema, at its path ("servers.0.command: Required"). */
export const ValidationIssueSchema = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

/** `details` of an error for data that failed the contract (the router's bad params, a client's bad result, a bad frame). */
export const ValidationDetailsSchema = z.object({ issues: z.array(ValidationIssueSchema) });

/** The issues of a contract-validation error, or undefined for any other error. */
export function validationIssues(error: Pick<AppErrorData, "details">): ValidationIssue[] | undefined {
  const parsed = ValidationDetailsSchema.safeParse(error.details);
  return parsed.success ? parsed.data.issues : undefined;
}

/** Thrown inside a process; serialized with `toData()` at its edge. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(error: unknown): AppError {
    if (error instanceof AppError) return error;
    const message = error instanceof Error ? error.message : String(error);
    // SQLite's own failures (a full disk, a read-only file) are the user's to fix, not internal bugs.
    const storage = sqliteStorageFailure(error);
    if (storage) return new AppError("storage", `Could not save: ${storage.text} (${message}).`, { reason: storage.reason, sqliteCode: storage.sqliteCode } satisfies StorageFailureDetails);
    return new AppError("internal", message);
  }

  static fromData(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data.details);
  }
}
