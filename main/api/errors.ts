import { AppError, type ErrorCode } from "../../app/contract";

/** Which API a request speaks: errors answer in that API's own shape. */
export type ApiDialect = "openai" | "anthropic";

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_request: 400,
  context_overflow: 400,
  unauthorized: 401,
  not_found: 404,
  model_not_loaded: 409,
  engine_busy: 429,
  engine_unavailable: 503,
  engine_crashed: 503,
};

const OPENAI_TYPE: Partial<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

const ANTHROPIC_TYPE: Partial<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "invalid_request_error",
  413: "request_too_large",
  429: "rate_limit_error",
  503: "overloaded_error",
};

/** An error the server answers with a status of its own choosing (413, 405). */
export class HttpError extends AppError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export function statusOf(error: AppError): number {
  return error instanceof HttpError ? error.status : (STATUS[error.code] ?? 500);
}

/** The error body in the dialect's own format, for a JSON answer or a stream's error event. */
export function errorBody(dialect: ApiDialect, error: AppError): unknown {
  const status = statusOf(error);
  if (dialect === "anthropic") return { type: "error", error: { type: ANTHROPIC_TYPE[status] ?? "api_error", message: error.message } };
  return { error: { message: error.message, type: OPENAI_TYPE[status] ?? "server_error", code: error.code, param: null } };
}
