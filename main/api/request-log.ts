import { randomUUID } from "node:crypto";
import { AppError, type GenerationStats } from "../../app/contract";
import type { ApiEndpoint, ApiRequestEntry } from "../../app/contract/server-api";

/** Requests kept for the Server page; older ones drop off. */
export const REQUEST_LOG_LIMIT = 200;

/** What the server tells the log about one request as it goes. */
export interface LoggedRequest {
  model(id: string): void;
  stream(stream: boolean): void;
  stats(stats: GenerationStats): void;
  /** A generation failed after its answer started (the stream ended with an error event). */
  failed(message: string): void;
  end(status: number, error?: string): void;
}

export function endpointOf(pathname: string): ApiEndpoint {
  if (pathname === "/v1/chat/completions") return "chat.completions";
  if (pathname === "/v1/responses") return "responses";
  if (pathname === "/v1/messages") return "messages";
  if (pathname === "/v1/messages/count_tokens") return "count_tokens";
  if (pathname === "/v1/models" || pathname.startsWith("/v1/models/")) return "models";
  return "other";
}

/**
 * The live request log: each request as it starts, gets its model and tokens, and ends; and the
 * cancel of a running one (the same abort as a client that goes away).
 */
export class RequestLog {
  private readonly entries = new Map<string, ApiRequestEntry>();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly onChange: (entry: ApiRequestEntry) => void = () => undefined) {}

  list(): ApiRequestEntry[] {
    return [...this.entries.values()];
  }

  cancel(id: string): void {
    const controller = this.running.get(id);
    if (!controller) throw new AppError("not_found", `Request ${id} is not running.`);
    controller.abort();
  }

  begin(method: string, path: string, controller: AbortController): LoggedRequest {
    const id = randomUUID();
    const entry: ApiRequestEntry = {
      id,
      startedAt: Date.now(),
      endpoint: endpointOf(path),
      method,
      path,
      model: null,
      stream: false,
      promptTokens: null,
      cachedTokens: null,
      generatedTokens: null,
      tokensPerSecond: null,
      state: "running",
      status: null,
      error: null,
      durationMs: null,
    };
    this.entries.set(id, entry);
    this.running.set(id, controller);
    while (this.entries.size > REQUEST_LOG_LIMIT) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    const update = (patch: Partial<ApiRequestEntry>) => {
      Object.assign(entry, patch);
      this.onChange({ ...entry });
    };
    update({});
    return {
      model: (model) => update({ model }),
      stream: (stream) => update({ stream }),
      stats: (stats) =>
        update({
          promptTokens: stats.promptTokens,
          cachedTokens: stats.reusedTokens,
          generatedTokens: stats.generatedTokens,
          tokensPerSecond: Number.isFinite(stats.decodeTokensPerSecond) ? Math.max(0, stats.decodeTokensPerSecond) : null,
        }),
      failed: (message) => update({ error: message }),
      end: (status, error) => {
        if (entry.state !== "running") return;
        this.running.delete(id);
        const failed = status >= 400 || error !== undefined || entry.error !== null;
        update({
          status,
          state: controller.signal.aborted ? "cancelled" : failed ? "failed" : "done",
          error: error ?? entry.error,
          durationMs: Date.now() - entry.startedAt,
        });
      },
    };
  }
}
