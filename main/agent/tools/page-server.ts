import { PageFileError, readWorkspaceFile } from "./page-files";

/**
 * check_page never gives the browser a file:// URL: the workspace is served under this origin, from
 * bytes read here (page-files.ts), through DevTools' Fetch interception, and every other URL is
 * refused. `.invalid` never resolves (RFC 2606), and plain http keeps the page out of a secure
 * context, so service workers and WebTransport do not exist for it.
 */
export const PAGE_ORIGIN = "http://page.m2d.invalid";

/** Larger resources are refused rather than copied through DevTools in one message. */
export const MAX_SERVED_BYTES = 32 * 1024 * 1024;

/** The synthetic URL of a workspace file ("/"-separated, relative to the root). */
export function pageUrl(relative: string): string {
  return `${PAGE_ORIGIN}/${relative.split("/").map(encodeURIComponent).join("/")}`;
}

const MIME: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  xhtml: "application/xhtml+xml",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  cjs: "text/javascript; charset=utf-8",
  json: "application/json",
  map: "application/json",
  txt: "text/plain; charset=utf-8",
  md: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  bmp: "image/bmp",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  wasm: "application/wasm",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
};

function mimeType(path: string): string {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? "";
  return MIME[extension] ?? "application/octet-stream";
}

export type PageResponse =
  | { kind: "fulfill"; status: number; contentType: string; body: Buffer }
  /** Not the workspace's to give: the request fails as net::ERR_ACCESS_DENIED. */
  | { kind: "refuse" };

const STATUS_FOR: Partial<Record<PageFileError["refusal"], number>> = { not_found: 404, not_a_file: 404, too_large: 413 };

/** "/a%20b/c.js" → "a b/c.js"; null for a path no file of the workspace can have. */
function workspacePath(pathname: string): string | null {
  const parts: string[] = [];
  for (const raw of pathname.split("/").slice(1)) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (part.includes("/") || part.includes("\0") || part === "." || part === "..") return null;
    parts.push(part);
  }
  // A folder's URL means its index.html, as a static server would.
  if (parts.at(-1) === "") parts[parts.length - 1] = "index.html";
  return parts.some((part) => part === "") ? null : parts.join("/");
}

/** What the browser gets for `url` and `method`: a workspace file from PAGE_ORIGIN, or nothing. */
export async function servePageRequest(root: string, method: string, url: string): Promise<PageResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: "refuse" };
  }
  if (parsed.origin !== PAGE_ORIGIN || parsed.username !== "" || parsed.password !== "") return { kind: "refuse" };
  const path = workspacePath(parsed.pathname);
  if (path === null) return { kind: "refuse" };
  if (method !== "GET" && method !== "HEAD") return text(405, "check_page serves files read-only.");
  try {
    const body = await readWorkspaceFile(root, path, MAX_SERVED_BYTES);
    return { kind: "fulfill", status: 200, contentType: mimeType(path), body: method === "HEAD" ? Buffer.alloc(0) : body };
  } catch (error) {
    if (!(error instanceof PageFileError)) throw error;
    // The browser asks for /favicon.ico by itself; a page without one has nothing to fix.
    if (path === "favicon.ico" && error.refusal === "not_found") return text(204, "");
    const status = STATUS_FOR[error.refusal];
    return status === undefined ? { kind: "refuse" } : text(status, `${path}: ${error.refusal.replace(/_/g, " ")}`);
  }
}

function text(status: number, message: string): PageResponse {
  return { kind: "fulfill", status, contentType: "text/plain; charset=utf-8", body: Buffer.from(message) };
}
