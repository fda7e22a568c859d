import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { AppError } from "../../app/contract";
import type { Backend } from "../backend";
import { TOKEN_COOKIE, isAuthorized, isTrustedOrigin } from "./auth";
import { SECURITY_HEADERS, contentSecurityPolicy } from "../../app/security-policy";
import { resolveStaticPath, serveFile } from "./static-files";
import { serveContractOverWebSocket } from "./ws-transport";

export interface HostOptions {
  backend: Backend;
  rendererDir: string;
  token: string;
  host?: string;
  port?: number;
  /** Origins the UI may frame: where artifact previews are served. */
  frameOrigins?: readonly string[];
}

export interface RunningHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendError(response: ServerResponse, status: number, error: AppError): void {
  const body = JSON.stringify(error.toData());
  response.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

/** The headless host: the built renderer over HTTP and the contract over WebSocket, on loopback only. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const host = options.host ?? "127.0.0.1";
  const allowedHosts = new Set<string>();
  // Large enough for chat.import of a long conversation; only an authenticated client gets this far.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const csp = contentSecurityPolicy({ frameOrigins: options.frameOrigins ?? [] });

  const handleHttp = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (!isTrustedOrigin(request, allowedHosts)) return sendError(response, 403, new AppError("unauthorized", "Untrusted Host or Origin."));
    if (request.method !== "GET" && request.method !== "HEAD") return sendError(response, 405, new AppError("bad_request", "Only GET is served."));
    if (!isAuthorized(request, url, options.token)) {
      return sendError(response, 401, new AppError("unauthorized", "Missing or wrong token: open the URL that `m2d serve` printed."));
    }
    const path = resolveStaticPath(options.rendererDir, url.pathname);
    const headers: Record<string, string> = { ...SECURITY_HEADERS, "Content-Security-Policy": csp };
    if (url.searchParams.has("token")) {
      headers["Set-Cookie"] = `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    if (!path || !serveFile(response, path, headers)) sendError(response, 404, new AppError("not_found", `Not found: ${url.pathname}`));
  };

  const server: Server = createServer((request, response) => {
    try {
      handleHttp(request, response);
    } catch (error) {
      sendError(response, 500, AppError.from(error));
    }
  });

  server.on("upgrade", (request, socket, head) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const reject = (status: number, error: AppError) => {
      const body = JSON.stringify(error.toData());
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Forbidden"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (url.pathname !== "/ws") return reject(403, new AppError("not_found", "WebSocket endpoint is /ws."));
    if (!isTrustedOrigin(request, allowedHosts)) return reject(403, new AppError("unauthorized", "Untrusted Host or Origin."));
    if (!isAuthorized(request, url, options.token)) return reject(401, new AppError("unauthorized", "Missing or wrong token."));
    wss.handleUpgrade(request, socket, head, (ws) => serveContractOverWebSocket(ws, options.backend.dispatch, options.backend.events));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  for (const name of [host, "127.0.0.1", "localhost"]) allowedHosts.add(`${name}:${port}`);

  return {
    url: `http://${host}:${port}/?token=${options.token}`,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
