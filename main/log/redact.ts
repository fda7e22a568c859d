/**
 * Secrets never reach the log file or a diagnostics report: the Hub token (a setting, HF_TOKEN, an
 * `authorization` header), the headless host's launch token (`?token=` in its URL, the `m2d_token` cookie),
 * and any exact value a caller names.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bhf_[A-Za-z0-9]{8,}/g, // Hugging Face user and org tokens
  /\b(Bearer\s+)[^\s"',;]+/gi,
  /\b(authorization["']?\s*[:=]\s*["']?)(?!Bearer\b)(?:[A-Za-z]+\s+)?[^\s"',;]+/gi, // any scheme and its credential
  /([?&;]\s*(?:token|m2d_token|access_token)=)[^\s&#"']+/gi,
  /(["']?(?:token|hubToken|HF_TOKEN|m2d_token)["']?\s*[:=]\s*["']?)[^\s"',;}&]+/g,
];

export const REDACTED = "[redacted]";

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Named values first: a short token has no shape a pattern could know.
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) => (typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED));
  }
  return out;
}
