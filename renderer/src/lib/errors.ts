import { AppError, describeModelError } from "../../../app/contract";

/** The message to show; a refused model file is prefixed with its reason ("Invalid tensor type: …"). */
export function errorMessage(error: unknown): string {
  return describeModelError(AppError.from(error));
}
