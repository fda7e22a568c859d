import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const TOKEN_COOKIE = "m2d_token";

export function newLaunchToken(): string {
  return randomBytes(24).toString("base64url");
}

function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return rest.join("=");
  }
  return undefined;
}

/** The token arrives in the URL the host printed, then lives in a same-site cookie for the page's assets. */
export function requestToken(request: IncomingMessage, url: URL): string | undefined {
  return url.searchParams.get("token") ?? cookieToken(request);
}

export function isAuthorized(request: IncomingMessage, url: URL, token: string): boolean {
  return sameToken(requestToken(request, url), token);
}

/**
 * Defeats DNS rebinding and cross-site WebSocket hijacking: the Host must be this
 * loopback server, and a browser's Origin (when sent) must be this same server.
 */
export function isTrustedOrigin(request: IncomingMessage, allowedHosts: ReadonlySet<string>): boolean {
  const host = request.headers.host;
  if (!host || !allowedHosts.has(host)) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true; // non-browser clients (the CLI, tests) send none
  try {
    return allowedHosts.has(new URL(origin).host);
  } catch {
    return false;
  }
}
