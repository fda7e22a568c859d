import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { z } from "zod";
import { AppError } from "../../app/contract";
import { AbortedError, downloadError, gatedError, offlineError, rateLimitedError } from "./errors";
import { groupQuants, type QuantGroup, type RemoteFile } from "./gguf-parts";
import { sleep } from "./backoff";
import { discard, header, NetError, readBody, retryAfterMs, send } from "./http";
import { DEFAULT_HUB_ENDPOINT } from "./model-ref";

export type HubGating = "auto" | "manual" | null;
const ModelInfo = z.object({ gated: z.union([z.boolean(), z.string()]).optional() });

export interface HubClientOptions {
  endpoint?: string;
  token?: string;
  /** Longest Retry-After we sit out before reporting rate_limited. */
  maxRetryAfterMs?: number;
  headersTimeoutMs?: number;
}

/** Where a download actually comes from, and how to know it is still the same object. */
export interface ProbeResult {
  /** URL after redirects (the CDN); requests for ranges go here. */
  url: string;
  size: number;
  /** Identity of the object: the Hub's X-Linked-Etag (LFS sha256) or else the server's ETag. */
  etag: string | null;
  /** The final server's strong ETag, usable in If-Range. */
  ifRange: string | null;
  /** sha256 announced by the Hub for LFS files. */
  linkedSha256: string | null;
  rangeable: boolean;
}

/** A non-success status, for callers that decide per status (the downloader retries some). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
  ) {
    super(`HTTP ${status} from ${new URL(url).host}`);
    this.name = "HttpStatusError";
  }
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.headers);
  }
}

const TreeEntry = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().nonnegative().optional(),
  oid: z.string().optional(),
  lfs: z.object({ oid: z.string(), size: z.number().nonnegative() }).passthrough().optional(),
}).passthrough();

export function resolveEndpoint(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = (setting || env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "");
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch {
    throw downloadError("bad_request", "bad_ref", `The Hub endpoint "${value}" is not an http(s) URL.`, { endpoint: value });
  }
  return value;
}

function unquote(etag: string | undefined): string | null {
  if (!etag) return null;
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "") || null;
}

export class HubClient {
  private currentEndpoint: string;
  private origin: string;
  private token: string | undefined;
  private readonly maxRetryAfterMs: number;
  private readonly headersTimeoutMs: number;

  constructor(options: HubClientOptions = {}) {
    this.currentEndpoint = resolveEndpoint(options.endpoint);
    this.origin = new URL(this.currentEndpoint).origin;
    this.token = options.token || undefined;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
  }

  get endpoint(): string {
    return this.currentEndpoint;
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  /**
   * New settings (endpoint, else HF_ENDPOINT, else the Hub; token, else HF_TOKEN) for the next request;
   * downloads in flight keep their resolved URLs. A bad endpoint throws and changes nothing.
   */
  configure(settings: { endpoint?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): void {
    const endpoint = resolveEndpoint(settings.endpoint, env);
    this.currentEndpoint = endpoint;
    this.origin = new URL(endpoint).origin;
    this.token = settings.token || env.HF_TOKEN || undefined;
  }

  /** The token goes to the Hub only: never to the CDN a resolve redirects to. */
  headersFor(url: URL, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { "user-agent": "m2-desktop", ...extra };
    if (this.token && url.origin === this.origin) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  isHubUrl(url: string): boolean {
    return new URL(url).origin === this.origin;
  }

  resolveUrl(repo: string, revision: string, path: string): string {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encoded}`;
  }

  /** Every file of a repo with its size and LFS sha256, following the tree API's pagination. */
  async listFiles(repo: string, revision = "main", signal?: AbortSignal): Promise<RemoteFile[]> {
    const files: RemoteFile[] = [];
    let next: string | null =
      `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
    while (next) {
      const res = await this.getWithRateLimit(next, repo, signal);
      const link = header(res.headers, "link");
      const body = JSON.parse((await readBody(res)).toString("utf8")) as unknown;
      const entries = z.array(TreeEntry).safeParse(body);
      if (!entries.success) throw downloadError("internal", "http", `The Hub sent an unexpected file list for ${repo}.`, { repo });
      for (const entry of entries.data) {
        if (entry.type !== "file") continue;
        const size = entry.lfs?.size ?? entry.size ?? 0;
        const sha256 = entry.lfs && /^[0-9a-f]{64}$/i.test(entry.lfs.oid) ? entry.lfs.oid.toLowerCase() : null;
        files.push({ path: entry.path, size, sha256 });
      }
      const nextLink = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      next = nextLink ? new URL(nextLink, next).toString() : null;
    }
    return files;
  }

  /**
   * Whether the repo is gated (its files need the license accepted on the Hub and a token): the model info's
   * `gated`, "auto" or "manual" approval, or null for an open repo.
   */
  async gating(repo: string, signal?: AbortSignal): Promise<HubGating> {
    const res = await this.getWithRateLimit(`${this.endpoint}/api/models/${repo}`, repo, signal);
    const info = ModelInfo.safeParse(JSON.parse((await readBody(res)).toString("utf8")) as unknown);
    if (!info.success) throw downloadError("internal", "http", `The Hub sent unexpected model info for ${repo}.`, { repo });
    const gated = info.data.gated;
    return gated === "auto" || gated === "manual" ? gated : gated === true ? "manual" : null;
  }

  /** The repo's page on the Hub, where its license is accepted. */
  repoPage(repo: string): string {
    return `${this.endpoint}/${repo}`;
  }

  async listQuants(repo: string, revision = "main", signal?: AbortSignal): Promise<QuantGroup[]> {
    return groupQuants(await this.listFiles(repo, revision, signal));
  }

  /**
   * Follows resolve redirects to the object and learns its size, identity and range support
   * with a one-byte ranged GET (HEAD is not reliably supported by CDNs).
   */
  async probe(url: string, signal?: AbortSignal): Promise<ProbeResult> {
    const { res, url: finalUrl, linked } = await this.follow(url, { range: "bytes=0-0" }, signal);
    try {
      if (res.statusCode !== 206 && res.statusCode !== 200) throw new HttpStatusError(res.statusCode ?? 0, finalUrl, res.headers);
      const contentRange = header(res.headers, "content-range");
      const total = res.statusCode === 206 ? Number(/\/(\d+)$/.exec(contentRange ?? "")?.[1]) : Number(header(res.headers, "content-length"));
      const linkedSize = linked.size === undefined ? undefined : Number(linked.size);
      const size = Number.isFinite(total) ? total : linkedSize;
      if (size === undefined || !Number.isFinite(size)) throw new NetError("transient", `no size for ${finalUrl}`);
      const serverEtag = header(res.headers, "etag");
      const strong = serverEtag && !serverEtag.startsWith("W/") ? serverEtag : null;
      const linkedEtag = unquote(linked.etag);
      return {
        url: finalUrl,
        size,
        etag: linkedEtag ?? unquote(serverEtag),
        ifRange: strong,
        linkedSha256: linkedEtag && /^[0-9a-f]{64}$/i.test(linkedEtag) ? linkedEtag.toLowerCase() : null,
        rangeable: res.statusCode === 206,
      };
    } finally {
      discard(res);
    }
  }

  /** GET of [start, endInclusive], following redirects; the caller owns the body. */
  async openRange(
    url: string,
    start: number,
    endInclusive: number,
    options: { ifRange?: string | null; signal?: AbortSignal; headersTimeoutMs?: number } = {},
  ): Promise<{ res: IncomingMessage; url: string }> {
    const extra: Record<string, string> = { range: `bytes=${start}-${endInclusive}` };
    if (options.ifRange) extra["if-range"] = options.ifRange;
    const { res, url: finalUrl } = await this.follow(url, extra, options.signal, options.headersTimeoutMs);
    return { res, url: finalUrl };
  }

  /** Maps a final status to the typed error the UI shows; null for statuses worth retrying. */
  statusError(error: HttpStatusError, repo?: string): AppError | null {
    const { status, url } = error;
    const code = header(error.headers, "x-error-code");
    if (code === "RepoNotFound" || code === "EntryNotFound" || code === "RevisionNotFound" || status === 404) {
      return downloadError("not_found", "not_found", `Not found on the Hub: ${repo ?? url}.`, { url, status });
    }
    if ((status === 401 || status === 403) && (this.isHubUrl(url) || code === "GatedRepo")) return gatedError(repo, status);
    if (status === 429) return rateLimitedError(url, error.retryAfterMs ?? 60_000);
    if (status >= 500 || status === 408 || status === 416) return null;
    return downloadError("internal", "http", `The server answered HTTP ${status} for ${url}.`, { url, status });
  }

  private async follow(
    start: string,
    extra: Record<string, string>,
    signal?: AbortSignal,
    headersTimeoutMs = this.headersTimeoutMs,
  ): Promise<{ res: IncomingMessage; url: string; linked: { size?: string; etag?: string } }> {
    let url = new URL(start);
    const linked: { size?: string; etag?: string } = {};
    for (let hop = 0; hop < 8; hop++) {
      const res = await send(url, { headers: this.headersFor(url, extra), signal, headersTimeoutMs });
      // The Hub puts the object's real size and sha256 on the resolve response itself.
      linked.size ??= header(res.headers, "x-linked-size");
      linked.etag ??= header(res.headers, "x-linked-etag");
      const status = res.statusCode ?? 0;
      const location = header(res.headers, "location");
      if (status >= 300 && status < 400 && location) {
        discard(res);
        url = new URL(location, url);
        continue;
      }
      return { res, url: url.toString(), linked };
    }
    throw new NetError("transient", `too many redirects from ${start}`);
  }

  private async getWithRateLimit(url: string, repo: string, signal?: AbortSignal): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      try {
        ({ res } = await this.follow(url, { accept: "application/json" }, signal));
      } catch (error) {
        throw toAppError(error, url);
      }
      if (res.statusCode === 200) return res;
      discard(res);
      const failure = new HttpStatusError(res.statusCode ?? 0, url, res.headers);
      const wait = failure.retryAfterMs ?? 1_000 * 2 ** attempt;
      const retryable = res.statusCode === 429 || (res.statusCode ?? 0) >= 500;
      if (!retryable || attempt >= 3 || wait > this.maxRetryAfterMs) {
        throw this.statusError(failure, repo) ?? downloadError("internal", "http", `The Hub answered HTTP ${failure.status}.`, { url, status: failure.status });
      }
      await sleep(wait, signal);
    }
  }
}

/** Network failures as the typed errors the UI understands. */
export function toAppError(error: unknown, url: string): AppError | AbortedError {
  if (error instanceof AppError || error instanceof AbortedError) return error;
  if (error instanceof NetError) {
    if (error.kind === "offline") return offlineError(url, error.code ?? error.message);
    return downloadError("internal", "network", `Network error talking to ${new URL(url).host}: ${error.message}`, { url, cause: error.code });
  }
  return AppError.from(error);
}

/** The app's client: endpoint from the setting, else HF_ENDPOINT, else the Hub; token from the setting or HF_TOKEN. */
export function createHubClient(settings: { endpoint?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): HubClient {
  const client = new HubClient();
  client.configure(settings, env);
  return client;
}
