import { AppError, type ErrorCode } from "../../app/contract";
import { storageFailureDetails } from "../../app/contract/storage-failure";
import { downloadFailureDetails, type DownloadFailure, type DownloadFailureDetails } from "../../app/contract/download-failure";

export type { DownloadFailure };

/** The fields a failure of `reason` carries besides the reason itself. */
type FailureFields<R extends DownloadFailure> = Omit<Extract<DownloadFailureDetails, { reason: R }>, "reason">;

export function downloadError<R extends DownloadFailure>(code: ErrorCode, reason: R, message: string, extra: FailureFields<R>): AppError {
  return new AppError(code, message, { ...extra, reason });
}

export function failureReason(error: unknown): DownloadFailure | undefined {
  return error instanceof AppError ? downloadFailureDetails(error)?.reason : undefined;
}

/** A full disk, found by the downloader's own check or by SQLite: the user frees space and resumes. */
export function isDiskFullFailure(error: AppError): boolean {
  return failureReason(error) === "disk_full" || storageFailureDetails(error)?.reason === "disk_full";
}

export const GATED_MESSAGE = "gated: accept the license on the Hub and add a token";

export function gatedError(repo: string | undefined, status: number): AppError {
  return downloadError("unauthorized", "gated", GATED_MESSAGE, { repo, status });
}

export function offlineError(url: string, cause: string): AppError {
  return downloadError("internal", "offline", `Cannot reach ${new URL(url).host}: you appear to be offline (${cause}).`, { url, cause });
}

export function rateLimitedError(url: string, retryAfterMs: number): AppError {
  return downloadError("internal", "rate_limited", `The Hub is rate limiting requests; retry in ${Math.ceil(retryAfterMs / 1000)} s.`, { url, retryAfterMs });
}

export function diskFullError(dir: string, requiredBytes: number, availableBytes: number): AppError {
  const gb = (n: number) => (n / 1e9).toFixed(2);
  return downloadError(
    "storage",
    "disk_full",
    `Not enough disk space in ${dir}: ${gb(requiredBytes)} GB more needed, ${gb(availableBytes)} GB free. Free some space and resume.`,
    { dir, requiredBytes, availableBytes },
  );
}

/** Aborts from pause/cancel: never reported as failures. */
export class AbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortedError";
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}
