/**
 * Whether fetch_url may contact `host`: entries are exact host names ("docs.python.org") or
 * "*.example.com" for its subdomains (not the apex). No entry means no host.
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return allowed.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (entry === "" || entry === "*" || entry === "*.") return false;
    if (entry.startsWith("*.")) return h.endsWith(entry.slice(1)) && h.length > entry.length - 1;
    return h === entry;
  });
}
