import { AppError, modelInvalidDetails, type ModelInvalidDetails, type ModelInvalidReason } from "../../app/contract";

// The reasons are a contract union: the renderer and the CLI read them from the error's details.
export type { ModelInvalidDetails, ModelInvalidReason };

export function modelInvalid(
  path: string,
  reason: ModelInvalidReason,
  message: string,
  extra: Record<string, unknown> = {},
): AppError {
  const details: ModelInvalidDetails = { ...extra, path, reason };
  return new AppError("model_invalid", message, details);
}

/** The reason of a model_invalid AppError, for callers and tests. */
export function modelInvalidReason(error: unknown): ModelInvalidReason | undefined {
  return error instanceof AppError ? modelInvalidDetails(error)?.reason : undefined;
}
