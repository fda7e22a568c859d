import { AppError } from "../../../app/contract/errors";
import { hostAllowed } from "../../../app/agent/fetch-allow";
import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";
import { headBytes, RESULT_CAP_BYTES, truncationMarker } from "./truncate";

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const TIMEOUT_MS = 15_000;

/** Parses and checks a URL against the workspace's fetch settings; used by prepare and again per redirect. */
export function checkFetchUrl(ctx: ToolContext, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("bad_request", `Not a valid URL: ${raw}`, { reason: "bad_url", url: raw });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError("bad_request", "fetch_url only fetches http and https URLs.", { reason: "bad_url_scheme", url: raw });
  }
  if (url.username || url.password) throw new AppError("bad_request", "URLs with credentials are refused.", { reason: "url_credentials", url: raw });
  return url;
}

function refuseHost(ctx: ToolContext, url: URL): void {
  if (!ctx.settings.fetch.enabled) throw new AppError("unauthorized", "fetch_url is off for this workspace.", { reason: "fetch_disabled" });
  if (!hostAllowed(url.hostname, ctx.settings.fetch.allowedHosts)) {
    throw new AppError("unauthorized", `${url.hostname} is not in this workspace's fetch allowlist.`, { reason: "host_not_allowed", host: url.hostname });
  }
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-javascript|xhtml\+xml|ld\+json|[a-z.+-]*\+(json|xml)))/i;

export async function fetchUrlTool(ctx: ToolContext, args: ToolArgs["fetch_url"]): Promise<ToolOutput> {
  let url = checkFetchUrl(ctx, args.url);
  refuseHost(ctx, url);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  for (let hop = 0; ; hop++) {
    response = await fetch(url, { redirect: "manual", signal, headers: { "user-agent": "M2-Desktop-agent" } });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) break;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new AppError("bad_request", "Too many redirects.", { reason: "too_many_redirects", url: url.href });
    // Every hop must be allowlisted too, or a redirect would walk out of the allowlist.
    url = checkFetchUrl(ctx, new URL(location, url).href);
    refuseHost(ctx, url);
  }
  const type = response.headers.get("content-type") ?? "";
  const chunks: Uint8Array[] = [];
  let received = 0;
  let cut = false;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = MAX_BODY_BYTES - received;
    chunks.push(value.length > room ? value.subarray(0, room) : value);
    received += Math.min(value.length, room);
    if (value.length >= room) {
      cut = true;
      await reader.cancel();
      break;
    }
  }
  const status = `HTTP ${response.status} ${response.statusText} (${type || "no content type"}) from ${url.href}`;
  if (type && !TEXTUAL.test(type)) {
    return { content: `${status}\n[binary content, ${received}${cut ? "+" : ""} bytes, not shown]`, data: { status: response.status, url: url.href } };
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const { head, omittedBytes } = headBytes(text, RESULT_CAP_BYTES);
  const markers: string[] = [];
  if (omittedBytes > 0 || cut) {
    markers.push(truncationMarker(omittedBytes, `${cut ? `the response was larger than ${MAX_BODY_BYTES} bytes and was not fully downloaded; ` : ""}the start is shown`));
  }
  return { content: [status, head, ...markers].join("\n"), data: { status: response.status, url: url.href, bytes: received, truncated: cut || omittedBytes > 0 } };
}
