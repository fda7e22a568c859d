import { z } from "zod";
import { detailsReader } from "./error-details";

/**
 * Why a no-follow file operation on a workspace path was refused or failed: `details` of the AppError the
 * agent's file layer (main/agent/fs) produces. Refusals are `bad_request`; the file system failing is `storage`.
 */
export const SafeFsReasonSchema = z.enum([
  "symlink_escape",
  "not_directory",
  "not_regular_file",
  "not_found",
  "already_exists",
  "not_empty",
  "bad_name",
  "changed_during_check",
  "too_many_entries",
  "too_large",
  "permission_denied",
  "io_error",
]);
export type SafeFsReason = z.infer<typeof SafeFsReasonSchema>;

/** Strict, so another family's `{reason: "not_found", …}` is not read as a file-system failure. */
export const SafeFsFailureDetailsSchema = z.strictObject({
  reason: SafeFsReasonSchema,
  /** Workspace-relative, as the message names it. */
  path: z.string(),
  errno: z.string().optional(),
});
export type SafeFsFailureDetails = z.infer<typeof SafeFsFailureDetailsSchema>;

/** The typed details of a workspace file-system failure, or undefined for any other error. */
export const safeFsFailureDetails = detailsReader(SafeFsFailureDetailsSchema);
