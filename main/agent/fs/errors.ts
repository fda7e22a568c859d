import { AppError } from "../../../app/contract/errors";
import { safeFsFailureDetails, type SafeFsFailureDetails, type SafeFsReason } from "../../../app/contract/safe-fs-failure";

export type { SafeFsReason };

const STORAGE: ReadonlySet<SafeFsReason> = new Set(["permission_denied", "io_error", "not_empty"]);

export function safeFsError(reason: SafeFsReason, message: string, path: string, errno?: string): AppError {
  const details: SafeFsFailureDetails = errno ? { reason, path, errno } : { reason, path };
  return new AppError(STORAGE.has(reason) ? "storage" : "bad_request", message, details);
}

export function safeFsReason(error: unknown): SafeFsReason | null {
  return error instanceof AppError ? (safeFsFailureDetails(error)?.reason ?? null) : null;
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
