import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { AbortedError } from "./errors";

// Keep-alive pools: every chunk request to the CDN reuses a warm connection.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: "lifo" }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64, scheduling: "lifo" }),
};

/** A failed exchange, classified by what the caller should do about it. */
export class NetError extends Error {
  constructor(
    readonly kind: "offline" | "transient",
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "NetError";
  }
}

const OFFLINE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"]);

export function classifyNetworkError(error: unknown): NetError | AbortedError {
  if (error instanceof NetError || error instanceof AbortedError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code && OFFLINE_CODES.has(code)) return new NetError("offline", message, code);
  return new NetError("transient", message, code);
}

export interface SendOptions {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** No response headers within this time → transient error. */
  headersTimeoutMs?: number;
}

/**
 * One request, no redirect following; resolves with the response once headers arrive. A pooled
 * keep-alive socket the server closed just as we reused it (ECONNRESET before any response) is
 * retried once on a fresh socket, as Node's documentation advises: GET and HEAD are idempotent.
 */
export async function send(url: URL, options: SendOptions = {}): Promise<IncomingMessage> {
  try {
    return await sendOnce(url, options);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return sendOnce(url, options);
  }
}

class StaleSocketError extends NetError {}

function sendOnce(url: URL, options: SendOptions): Promise<IncomingMessage> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const agent = url.protocol === "https:" ? agents["https:"] : url.protocol === "http:" ? agents["http:"] : undefined;
    if (!agent) return reject(new NetError("transient", `unsupported protocol ${url.protocol}`));
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, { method: options.method ?? "GET", headers: options.headers, agent });
    const onAbort = () => req.destroy(new AbortedError());
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = options.headersTimeoutMs
      ? setTimeout(() => req.destroy(new NetError("transient", "timed out waiting for response headers", "ETIMEDOUT")), options.headersTimeoutMs)
      : undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    req.once("response", (res) => {
      done();
      // The body may still be aborted by the caller through the same signal.
      if (signal) {
        const abortBody = () => res.destroy(new AbortedError());
        signal.addEventListener("abort", abortBody, { once: true });
        res.once("close", () => signal.removeEventListener("abort", abortBody));
      }
      resolve(res);
    });
    req.once("error", (error) => {
      done();
      if (signal?.aborted) return reject(new AbortedError());
      const stale = req.reusedSocket && (error as NodeJS.ErrnoException).code === "ECONNRESET";
      reject(stale ? new StaleSocketError("transient", error.message, "ECONNRESET") : classifyNetworkError(error));
    });
    req.end();
  });
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a small body (JSON, error text) with a size cap. */
export async function readBody(res: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new NetError("transient", `response larger than ${limit} bytes`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Drops a response we will not read: small bodies are drained so the keep-alive socket survives. */
export function discard(res: IncomingMessage): void {
  const length = Number(header(res.headers, "content-length") ?? Infinity);
  if (length <= 64 * 1024) {
    res.on("error", () => undefined);
    res.resume();
  } else {
    res.destroy();
  }
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent. */
export function retryAfterMs(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const value = header(headers, "retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
