import { AppError } from "../../app/contract";

export type ModelInvalidReason =
  | "not_gguf"
  | "unsupported_version"
  | "truncated"
  | "split_missing"
  | "split_inconsistent"
  | "unsupported_arch"
  | "corrupt";

export interface ModelInvalidDetails {
  readonly path: string;
  readonly reason: ModelInvalidReason;
  readonly [extra: string]: unknown;
}

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
  if (!(error instanceof AppError) || error.code !== "model_invalid") return undefined;
  const details = error.details as Partial<ModelInvalidDetails> | undefined;
  return details?.reason;
}
