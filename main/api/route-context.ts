import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { AppError, ErrorCodeSchema, type GenerationEvent, type GenerationRequest } from "../../app/contract";
import type { Backend } from "../backend";
import type { ModelDeps } from "./models";

export type ApiBackend = Pick<Backend, "generations" | "events" | "models" | "engine" | "downloads" | "loadModel">;

/** What a route needs: the engine through the shared services, the request's cancel signal, one place to start generations. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  backend: ApiBackend;
  modelDeps: ModelDeps;
  /** Aborted when the client goes away before its answer is complete. */
  signal: AbortSignal;
  generate(request: GenerationRequest, onEvent: (event: GenerationEvent) => void): Promise<Extract<GenerationEvent, { type: "done" }>>;
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new AppError("bad_request", `Invalid request: ${where}${issue?.message ?? "malformed"}`, { issues: parsed.error.issues });
}

/** A generation's failure as the AppError it was in the engine. */
export function generationError(error: { code: string; message: string }): AppError {
  const code = ErrorCodeSchema.safeParse(error.code);
  return new AppError(code.success ? code.data : "internal", error.message);
}

