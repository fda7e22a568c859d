import { AppError, type ErrorCode } from "../../app/contract";

/** Why a download or Hub call failed; the UI keys its message and actions off this. */
export type DownloadFailure =
  | "gated"
  | "rate_limited"
  | "offline"
  | "not_found"
  | "http"
  | "network"
  | "hash_mismatch"
  | "invalid_gguf"
  | "disk_full"
  | "io"
  | "source_changed"
  | "bad_ref"
  | "busy";

export interface DownloadErrorDetails {
  reason: DownloadFailure;
  [extra: string]: unknown;
}

export function downloadError(
  code: ErrorCode,
  reason: DownloadFailure,
  message: string,
  extra: Record<string, unknown> = {},
): AppError {
  return new AppError(code, message, { ...extra, reason } satisfies DownloadErrorDetails);
}

export function failureReason(error: unknown): DownloadFailure | undefined {
  if (!(error instanceof AppError)) return undefined;
  const details = error.details as Partial<DownloadErrorDetails> | undefined;
  return details?.reason;
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
