import { z } from "zod";
import { detailsReader } from "./error-details";
import type { AppErrorData } from "./errors";

/**
 * Why a GGUF was refused before llama.cpp saw it: `details.reason` of a
 * `model_invalid` error, wherever it surfaces (m2d inspect, the Library, the load dialog).
 */
export const modelInvalidReasons = [
  "not_a_file", // a directory, FIFO, device, socket or symlink loop
  "not_gguf",
  "unsupported_version",
  "truncated",
  "corrupt", // a header value no GGUF writer produces
  "header_too_large", // decoding the header would take more memory than any real model needs
  "split_missing",
  "split_inconsistent",
  "unsupported_arch",
  "hparams_invalid", // a hyper-parameter outside what llama.cpp asserts on
  "vocab_invalid", // empty, duplicated or inconsistent tokenizer arrays
  "tensor_type_invalid", // a tensor stored in a type its role cannot compute with
  "tensor_shape_invalid", // a tensor the architecture needs is missing or shaped against the hyper-parameters
  "load_refused", // passed the validator, then llama.cpp refused it (its message says why)
] as const;

export const ModelInvalidReasonSchema = z.enum(modelInvalidReasons);
export type ModelInvalidReason = z.infer<typeof ModelInvalidReasonSchema>;

export const ModelInvalidDetailsSchema = z
  .object({
    path: z.string(),
    reason: ModelInvalidReasonSchema,
    /** The metadata key or tensor at fault, where there is one. */
    key: z.string().optional(),
    tensor: z.string().optional(),
  })
  .passthrough();
export type ModelInvalidDetails = z.infer<typeof ModelInvalidDetailsSchema>;

/** A model file the app refuses to load, as a list entry carries it (the Library). */
export const ModelProblemSchema = z.object({ reason: ModelInvalidReasonSchema, message: z.string() });
export type ModelProblem = z.infer<typeof ModelProblemSchema>;

/** Short, for a label in front of the error's own message. */
export const MODEL_INVALID_LABEL: Readonly<Record<ModelInvalidReason, string>> = {
  not_a_file: "Not a regular file",
  not_gguf: "Not a GGUF file",
  unsupported_version: "Unsupported GGUF version",
  truncated: "Truncated file",
  corrupt: "Corrupt header",
  header_too_large: "Header too large",
  split_missing: "Missing split parts",
  split_inconsistent: "Inconsistent split parts",
  unsupported_arch: "Unsupported architecture",
  hparams_invalid: "Invalid hyper-parameters",
  vocab_invalid: "Invalid vocabulary",
  tensor_type_invalid: "Invalid tensor type",
  tensor_shape_invalid: "Invalid tensor shape",
  load_refused: "llama.cpp refused the model",
};

/** The typed details of a model_invalid error, or undefined for any other error (or details that do not parse). */
export const modelInvalidDetails = detailsReader(ModelInvalidDetailsSchema, "model_invalid");

export function modelProblem(error: Pick<AppErrorData, "code" | "message" | "details">): ModelProblem | undefined {
  const details = modelInvalidDetails(error);
  return details ? { reason: details.reason, message: error.message } : undefined;
}

/** "Invalid vocabulary: <message>" for a model_invalid error with a reason; the bare message otherwise. */
export function describeModelError(error: Pick<AppErrorData, "code" | "message" | "details">): string {
  const details = modelInvalidDetails(error);
  return details ? `${MODEL_INVALID_LABEL[details.reason]}: ${error.message}` : error.message;
}
