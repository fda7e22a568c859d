import { z } from "zod";
import { detailsReader } from "./error-details";

/**
 * Why a download or Hub call failed: `details` of the AppError main/downloads produces, one shape per
 * reason. The UI keys its message and actions off `reason`. A pause or cancel is never a failure.
 */
// Strict: a variant names every field it carries, so SQLite's {reason: "busy", sqliteCode} is not a download's "busy".
const Url = z.string();
const Status = z.number().int();

export const DownloadFailureDetailsSchema = z.discriminatedUnion("reason", [
  /** 401/403 from the Hub: a gated repo, or a token without access. */
  z.strictObject({ reason: z.literal("gated"), repo: z.string().optional(), status: Status }),
  z.strictObject({ reason: z.literal("rate_limited"), url: Url, retryAfterMs: z.number().nonnegative() }),
  z.strictObject({ reason: z.literal("offline"), url: Url, cause: z.string() }),
  /** No such repo, quant, file or download. */
  z.strictObject({
    reason: z.literal("not_found"),
    id: z.string().optional(),
    url: Url.optional(),
    status: Status.optional(),
    repo: z.string().optional(),
    quant: z.string().optional(),
    file: z.string().optional(),
  }),
  /** An HTTP status the downloader does not retry past, or a Hub answer it cannot read. */
  z.strictObject({ reason: z.literal("http"), url: Url.optional(), status: Status.optional(), repo: z.string().optional() }),
  /** The connection kept failing after every retry. */
  z.strictObject({ reason: z.literal("network"), url: Url, cause: z.string().optional() }),
  /** The file's sha256 is not the Hub's; the file was deleted. */
  z.strictObject({ reason: z.literal("hash_mismatch"), path: z.string(), expected: z.string(), actual: z.string() }),
  /** The finished file has no GGUF header (an HTML error page, a truncated upload); it was deleted. */
  z.strictObject({ reason: z.literal("invalid_gguf"), path: z.string() }),
  /** Paused, not failed: the user frees space and resumes. */
  z.strictObject({ reason: z.literal("disk_full"), dir: z.string(), requiredBytes: z.number(), availableBytes: z.number() }),
  /** Writing the partial file failed, or the library lost track of a finished one. */
  z.strictObject({ reason: z.literal("io"), id: z.string().optional(), path: z.string().optional(), cause: z.string().optional() }),
  /** Not a model reference, a bad Hub endpoint, or a repo that needs a quant chosen. */
  z.strictObject({
    reason: z.literal("bad_ref"),
    input: z.string().optional(),
    endpoint: z.string().optional(),
    repo: z.string().optional(),
    available: z.string().optional(),
  }),
  /** Already downloading (`downloadId`), already downloaded (`path`), or completed and not cancellable (`id`). */
  z.strictObject({ reason: z.literal("busy"), downloadId: z.string().optional(), path: z.string().optional(), id: z.string().optional() }),
]);
export type DownloadFailureDetails = z.infer<typeof DownloadFailureDetailsSchema>;
export type DownloadFailure = DownloadFailureDetails["reason"];

/** Every reason, in the schema's order (for tests and exhaustive tables). */
export const downloadFailures = DownloadFailureDetailsSchema.options.map((o) => o.shape.reason.value) as readonly DownloadFailure[];

/** The typed details of a download failure, or undefined for any other error (or details that do not parse). */
export const downloadFailureDetails = detailsReader(DownloadFailureDetailsSchema);
