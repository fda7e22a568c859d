import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError, type GenerationRequest } from "../../app/contract";
import { Admission } from "./admission";
import { errorBody, HttpError, statusOf, type ApiDialect } from "./errors";
import { runGeneration } from "./generation-run";
import { readJsonBody, sendJson } from "./http-io";
import { fileModelId, listModelIds, type ModelDeps } from "./models";
import { routeAnthropic } from "./anthropic-route";
import { routeOpenAi } from "./openai-route";
import { routeResponses } from "./responses-route";
import type { RequestLog } from "./request-log";
import type { ApiBackend, RouteContext } from "./route-context";

export type { ApiBackend } from "./route-context";

/** LM Studio's port: clients configured for it work unchanged. */
export const DEFAULT_API_PORT = 1234;
export const DEFAULT_QUEUE_LIMIT = 16;
const RETRY_AFTER_SECONDS = "2";

export interface ApiServerOptions {
  port?: number;
  /** Loopback by default; "0.0.0.0" serves the LAN (an opt-in that still requires the key). */
  host?: "127.0.0.1" | "0.0.0.0";
  /** Required on every request as `Authorization: Bearer …` or `x-api-key`; a function is asked per request, so a new key applies at once. */
  apiKey: string | (() => string);
  /** API requests running or waiting for the engine; the next one gets 429. */
  queueLimit?: number;
  /** Every generation request the server starts, as the engine gets it (request log, tests). */
  onGenerationRequest?: (request: GenerationRequest) => void;
  /** The live request log (the Server page); cancelling an entry aborts its request. */
  requestLog?: RequestLog;
}

export interface RunningApiServer {
  /** The base URL clients take: `http://127.0.0.1:N/v1`. */
  baseUrl: string;
  port: number;
  queueLimit: number;
  close(): Promise<void>;
}

function keyMatches(request: IncomingMessage, apiKey: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
  const header = request.headers["x-api-key"];
  const given = bearer ?? (typeof header === "string" ? header : undefined);
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(apiKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/;

/**
 * DNS rebinding: a page on another name that resolves here must not reach the API. On the LAN clients
 * use this machine's address, so any IP literal passes there (a rebinding attack needs a name).
 */
function hostAllowed(request: IncomingMessage, port: number, lan: boolean): boolean {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined || [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)) return true;
  if (!lan || !host.endsWith(`:${port}`)) return false;
  return IP_LITERAL.test(host.slice(0, -`:${port}`.length));
}

/**
 * The local OpenAI- and Anthropic-compatible API on the app's own backend: the same engine, loaded
 * model and generation turns as the app's chats (one generation at a time, first come first served).
 */
export async function startApiServer(backend: ApiBackend, options: ApiServerOptions): Promise<RunningApiServer> {
  const admission = new Admission(options.queueLimit ?? DEFAULT_QUEUE_LIMIT);
  const apiKey = options.apiKey;
  const currentKey = typeof apiKey === "function" ? apiKey : () => apiKey;
  const lan = options.host === "0.0.0.0";
  const baseDeps: Omit<ModelDeps, "onResolved"> = {
    models: backend.models,
    load: backend.loadModel,
    // Per request: the names only, not listLibrary's header reads and file checks (1.4 ms with five models).
    library: async () => backend.downloads.listLibraryPaths().map((m) => ({ id: m.repo && m.quant ? `${m.repo}:${m.quant}` : fileModelId(m.path), path: m.path })),
  };
  let port = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const dialect: ApiDialect = url.pathname.startsWith("/v1/messages") ? "anthropic" : "openai";
    const controller = new AbortController();
    const logged = options.requestLog?.begin(request.method ?? "GET", url.pathname, controller);
    response.on("close", () => {
      if (!response.writableFinished) controller.abort();
      logged?.end(response.statusCode);
    });
    const readBody = async () => {
      const body = await readJsonBody(request);
      logged?.stream(typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true);
      return body;
    };
    try {
      if (!hostAllowed(request, port, lan)) throw new HttpError(403, "unauthorized", "Untrusted Host header.");
      if (!keyMatches(request, currentKey())) {
        throw new AppError("unauthorized", "Missing or wrong API key: send it as `Authorization: Bearer KEY` or `x-api-key: KEY`.");
      }
      const context: RouteContext = {
        request,
        response,
        url,
        backend,
        modelDeps: { ...baseDeps, ...(logged ? { onResolved: (id: string) => logged.model(id) } : {}) },
        signal: controller.signal,
        generate: async (generation, onEvent) => {
          const release = admission.enter();
          try {
            options.onGenerationRequest?.(generation);
            return await runGeneration(
              backend,
              generation,
              (event) => {
                if (event.type === "stats") logged?.stats(event.stats);
                if (event.type === "done" && event.error) logged?.failed(event.error.message);
                onEvent(event);
              },
              controller.signal,
            );
          } finally {
            release();
          }
        },
      };
      if (request.method === "GET" && url.pathname === "/v1/models") return await listModels(context);
      if (request.method === "GET" && url.pathname.startsWith("/v1/models/")) return await retrieveModel(context, modelIdOf(url.pathname));
      if (request.method !== "POST") throw new HttpError(405, "bad_request", `${request.method} ${url.pathname} is not served.`);
      const routed = (await routeOpenAi(context, readBody)) || (await routeAnthropic(context, readBody)) || (await routeResponses(context, readBody));
      if (!routed) throw new AppError("not_found", `No endpoint ${url.pathname}.`);
      // Cancelled from the request log with the client still there: a non-streamed answer was not sent.
      if (controller.signal.aborted && !response.headersSent) throw new HttpError(499, "aborted", "The request was cancelled in M2 Desktop.");
      if (!response.writableEnded) response.end();
    } catch (error) {
      const appError = AppError.from(error);
      logged?.failed(appError.message);
      if (response.headersSent) {
        if (!response.writableEnded) response.end();
        return;
      }
      const status = statusOf(appError);
      sendJson(response, status, errorBody(dialect, appError), status === 429 ? { "Retry-After": RETRY_AFTER_SECONDS } : {});
    }
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_API_PORT, options.host ?? "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    queueLimit: admission.limit,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The id in `/v1/models/<id>`; a malformed escape (`%zz`) names no model rather than failing the server (500). */
function modelIdOf(pathname: string): string {
  const raw = pathname.slice("/v1/models/".length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError("not_found", `No model ${raw}.`);
  }
}

const modelObject = (id: string) => ({ id, object: "model", created: 0, owned_by: "m2-desktop" });

async function listModels(context: RouteContext): Promise<void> {
  const ids = await listModelIds(context.modelDeps);
  sendJson(context.response, 200, { object: "list", data: ids.map(modelObject) });
}

async function retrieveModel(context: RouteContext, id: string): Promise<void> {
  if (!(await listModelIds(context.modelDeps)).includes(id)) throw new AppError("not_found", `No model ${id}.`);
  sendJson(context.response, 200, modelObject(id));
}
