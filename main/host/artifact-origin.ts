import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { AppError } from "../../app/contract";
import { PathGuard } from "../agent/paths";

/**
 * A second loopback origin that serves the agent's HTML artifacts, so a preview can run its own
 * scripts: a document served from here gets this origin's CSP, not the app's. The frame is also
 * sandboxed (no allow-same-origin), and the CSP lets the page load only files of its workspace
 * from this origin, and connect nowhere.
 */
export interface ArtifactOrigin {
  origin: string;
  /** A URL for `path` inside `workspace`; the unguessable token in it is the only access it grants. */
  grant(workspace: string, path: string): Promise<string>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};
const MAX_GRANTS = 256;
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** `appOrigin`: the only page that may frame an artifact; null where the app has no web origin (Electron's file://). */
export function artifactCsp(origin: string, appOrigin: string | null): string {
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' 'unsafe-eval' ${origin}`,
    `style-src 'unsafe-inline' ${origin}`,
    `img-src data: blob: ${origin}`,
    `font-src data: ${origin}`,
    `media-src data: blob: ${origin}`,
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    ...(appOrigin ? [`frame-ancestors ${appOrigin}`] : []),
  ].join("; ");
}

export async function startArtifactOrigin(options: { host: string; appOrigin: () => string | null }): Promise<ArtifactOrigin> {
  const grants = new Map<string, PathGuard>();
  let origin = "";

  const fail = (response: ServerResponse, status: number, error: AppError) => {
    response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
    response.end(error.message);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "GET" && request.method !== "HEAD") return fail(response, 405, new AppError("bad_request", "Only GET is served."));
    const match = /^\/([\w-]{32,})\/(.+)$/.exec(new URL(request.url ?? "/", "http://x").pathname);
    const guard = match ? grants.get(match[1]!) : undefined;
    if (!match || !guard) return fail(response, 404, new AppError("not_found", "No such artifact."));
    let relative: string;
    try {
      relative = decodeURIComponent(match[2]!);
    } catch {
      return fail(response, 400, new AppError("bad_request", "Bad path."));
    }
    try {
      const { handle: file, resolved } = await guard.openForRead(relative);
      try {
        if (resolved.stats.size > MAX_FILE_BYTES) return fail(response, 413, new AppError("bad_request", "File too large."));
        const body = await file.readFile();
        response.writeHead(200, {
          "Content-Type": TYPES[extname(resolved.absolute).toLowerCase()] ?? "application/octet-stream",
          "Content-Length": String(body.length),
          "Content-Security-Policy": artifactCsp(origin, options.appOrigin()),
          "X-Content-Type-Options": "nosniff",
          "Cross-Origin-Resource-Policy": "same-origin",
          "Referrer-Policy": "no-referrer",
          "Cache-Control": "no-store",
        });
        response.end(request.method === "HEAD" ? undefined : body);
      } finally {
        await file.close();
      }
    } catch {
      // Outside the workspace, through a symlink out, missing: all the same to the page, which learns no paths.
      fail(response, 404, new AppError("not_found", "Not found."));
    }
  };

  const server = createServer((request, response) => void handle(request, response).catch((error: unknown) => fail(response, 500, AppError.from(error))));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host, () => resolve());
  });
  origin = `http://${options.host}:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    async grant(workspace, path) {
      if (![".html", ".htm"].includes(extname(path).toLowerCase())) {
        throw new AppError("bad_request", "Only .html files can be previewed.", { reason: "not_html", path });
      }
      const guard = await PathGuard.create(workspace);
      const { relative } = await guard.forRead(path);
      const token = randomBytes(24).toString("base64url");
      grants.set(token, guard);
      // Oldest grants go first: a long session does not keep every workspace reachable.
      for (const old of [...grants.keys()].slice(0, Math.max(0, grants.size - MAX_GRANTS))) grants.delete(old);
      return `${origin}/${token}/${relative.split("/").map(encodeURIComponent).join("/")}`;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
