import { AppError } from "../../../app/contract/errors";

/**
 * Why a no-follow file operation on a workspace path was refused or failed. Refusals (a symlink, a
 * changed entry, a bad name) are `bad_request`; the file system failing under us is `storage`.
 */
export type SafeFsReason =
  | "symlink_escape"
  | "not_directory"
  | "not_regular_file"
  | "not_found"
  | "already_exists"
  | "not_empty"
  | "bad_name"
  | "changed_during_check"
  | "too_many_entries"
  | "too_large"
  | "permission_denied"
  | "io_error";

const STORAGE: ReadonlySet<SafeFsReason> = new Set(["permission_denied", "io_error", "not_empty"]);

export function safeFsError(reason: SafeFsReason, message: string, path: string, errno?: string): AppError {
  const details = errno ? { reason, path, errno } : { reason, path };
  return new AppError(STORAGE.has(reason) ? "storage" : "bad_request", message, details);
}

export function safeFsReason(error: unknown): SafeFsReason | null {
  if (!(error instanceof AppError)) return null;
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  return typeof reason === "string" ? (reason as SafeFsReason) : null;
}

/** Maps an errno from a no-follow call on `path` (workspace-relative, for the message). */
export function fromErrno(error: unknown, path: string, action: string): AppError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "EIO";
  switch (code) {
    case "ELOOP":
      return safeFsError("symlink_escape", `${path} is a symlink; it is not followed (${action}).`, path, code);
    case "ENOTDIR":
      return safeFsError("not_directory", `${path} is not a folder (${action}).`, path, code);
    case "ENOENT":
      return safeFsError("not_found", `${path} does not exist (${action}).`, path, code);
    case "EEXIST":
      return safeFsError("already_exists", `${path} already exists (${action}).`, path, code);
    case "ENOTEMPTY":
      return safeFsError("not_empty", `${path} is not empty: something wrote into it meanwhile (${action}).`, path, code);
    case "EACCES":
    case "EPERM":
      return safeFsError("permission_denied", `${path}: permission denied (${action}).`, path, code);
    default:
      return safeFsError("io_error", `${path}: ${code} (${action}).`, path, code);
  }
}
