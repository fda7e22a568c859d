/** Artifact previews are served from a loopback origin of their own (main/host/artifact-origin.ts). */
export const ARTIFACT_HOST = "127.0.0.1";

/**
 * The renderer's CSP: the headless host sends it as a header, the renderer build puts it in index.html.
 * `frameOrigins`: where artifact previews come from. The built-in meta cannot know the artifact
 * origin's port, so it allows the loopback host; the host's header names the exact origin, and a
 * page under both gets their intersection.
 */
export function contentSecurityPolicy({ frameOrigins = [`http://${ARTIFACT_HOST}:*`] }: { frameOrigins?: readonly string[] } = {}): string {
  return [...BASE_POLICY, ["frame-src 'self'", ...frameOrigins].join(" ")].join("; ");
}

const BASE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cache-Control": "no-store",
};
