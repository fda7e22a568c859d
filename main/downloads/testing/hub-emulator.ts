import { createHash } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { sha256Of, type Content } from "./content";

/**
 * A local stand-in for huggingface.co and its CDN (two origins, so tokens leaking across a
 * redirect show up): the tree API, /resolve/ 302s with X-Linked-* headers, ranged downloads
 * with ETags, and faults injected on demand. Counts body bytes served per file.
 */

export interface EmulatedFile {
  path: string;
  content: Content;
  /** sha256 the Hub announces; defaults to the real one. */
  sha256?: string;
}

export interface EmulatedRepo {
  repo: string;
  files: EmulatedFile[];
  /** Resolve answers 403 GatedRepo unless the request carries a granted token. */
  gated?: boolean;
}

export type Fault =
  | { kind: "reset"; afterBytes: number }
  | { kind: "status"; status: number; retryAfterS?: number }
  | { kind: "stall"; afterBytes: number }
  | { kind: "wrong-length"; declare: "more" | "less" }
  | { kind: "range-416" }
  | { kind: "ignore-range" };

export interface FaultRule {
  /** Which endpoint misbehaves. */
  on: "cdn" | "resolve" | "tree";
  /** Hub path of the file (cdn/resolve) or repo (tree); any when omitted. */
  path?: string;
  /** How many requests get the fault. */
  times: number;
  /** Also hit one-byte probes (Range: bytes=0-0); by default only real transfers are. */
  probes?: boolean;
  fault: Fault;
}

export interface RequestLog {
  origin: "hub" | "cdn";
  method: string;
  url: string;
  range?: string;
  authorization?: string;
  status: number;
}

interface FileState {
  repo: EmulatedRepo;
  file: EmulatedFile;
  sha256: string;
  etag: string;
  generation: number;
  corrupt: boolean;
}

export class HubEmulator {
  readonly requests: RequestLog[] = [];
  private readonly repos = new Map<string, EmulatedRepo>();
  private readonly files = new Map<string, FileState>();
  private readonly served = new Map<string, number>();
  private readonly rules: FaultRule[] = [];
  private readonly tokens = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private signature = 1;
  private bytesPerSecond: number | null = null;
  treePageSize = 0;

  private constructor(
    private readonly hub: http.Server,
    private readonly cdn: http.Server,
  ) {}

  static async start(): Promise<HubEmulator> {
    const hub = http.createServer();
    const cdn = http.createServer();
    const emulator = new HubEmulator(hub, cdn);
    hub.on("request", (req, res) => emulator.onHub(req, res));
    cdn.on("request", (req, res) => emulator.onCdn(req, res));
    for (const server of [hub, cdn]) {
      server.on("connection", (socket) => {
        emulator.sockets.add(socket);
        socket.on("close", () => emulator.sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    }
    return emulator;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  get cdnOrigin(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  /** A direct link on the CDN origin, for plain-URL downloads; `ranges: false` serves 200 only. */
  plainUrl(repo: string, path: string, ranges = true): string {
    return `${this.cdnOrigin}/${ranges ? "files" : "norange"}/${repo}/${path}`;
  }

  addRepo(repo: EmulatedRepo): void {
    this.repos.set(repo.repo, repo);
    for (const file of repo.files) this.setFile(repo, file);
  }

  /** New bytes at the same path: new sha256 and ETag, like a re-upload. */
  replaceFile(repo: string, path: string, content: Content): void {
    const r = this.repos.get(repo);
    if (!r) throw new Error(`no repo ${repo}`);
    const file = { path, content };
    r.files = r.files.filter((f) => f.path !== path).concat(file);
    this.setFile(r, file, (this.files.get(`${repo}/${path}`)?.generation ?? 0) + 1);
  }

  /** Serve bytes that do not match the announced sha256 (one byte flipped mid-file). */
  corrupt(repo: string, path: string, on = true): void {
    const state = this.files.get(`${repo}/${path}`);
    if (!state) throw new Error(`no file ${repo}/${path}`);
    state.corrupt = on;
  }

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** Paces every CDN response to this many bytes per second (null: full speed). */
  throttle(bytesPerSecond: number | null): void {
    this.bytesPerSecond = bytesPerSecond;
  }

  grantToken(token: string): void {
    this.tokens.add(token);
  }

  /** Expires every CDN URL handed out so far (signed URLs do expire). */
  rotateSignatures(): void {
    this.signature++;
  }

  /** Body bytes the CDN sent for one file ("owner/repo/path"), or for all files. */
  bytesServed(key?: string): number {
    if (key !== undefined) return this.served.get(key) ?? 0;
    let total = 0;
    for (const n of this.served.values()) total += n;
    return total;
  }

  resetCounters(): void {
    this.served.clear();
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private setFile(repo: EmulatedRepo, file: EmulatedFile, generation = 0): void {
    const sha256 = sha256Of(file.content);
    this.files.set(`${repo.repo}/${file.path}`, {
      repo,
      file,
      sha256: file.sha256 ?? sha256,
      etag: `"${createHash("sha1").update(`${sha256}:${generation}`).digest("hex")}"`,
      generation,
      corrupt: false,
    });
  }

  private takeFault(on: FaultRule["on"], path: string, probe = false): Fault | undefined {
    const rule = this.rules.find(
      (r) => r.on === on && r.times > 0 && (r.path === undefined || r.path === path) && (!probe || r.probes),
    );
    if (!rule) return undefined;
    rule.times--;
    return rule.fault;
  }

  private log(origin: "hub" | "cdn", req: IncomingMessage, res: ServerResponse): void {
    const entry: RequestLog = { origin, method: req.method ?? "GET", url: req.url ?? "", status: 0 };
    if (req.headers.range) entry.range = req.headers.range;
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    this.requests.push(entry);
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      entry.status = status;
      return (writeHead as (s: number, ...r: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
  }

  private onHub(req: IncomingMessage, res: ServerResponse): void {
    this.log("hub", req, res);
    const url = new URL(req.url ?? "/", this.endpoint);
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    if (tree) return this.onTree(decodeURIComponent(tree[1] ?? ""), url, res);
    const info = /^\/api\/models\/([^/]+\/[^/]+)$/.exec(url.pathname);
    if (info) return this.onModelInfo(decodeURIComponent(info[1] ?? ""), res);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) return this.onResolve(req, res, decodeURIComponent(resolve[1] ?? ""), decodeURIComponent(resolve[3] ?? ""));
    hubError(res, 404, "RepoNotFound", "Not found");
  }

  /** The model info's `gated` as the Hub gives it: "manual" (or "auto") for a gated repo, false for an open one. */
  private onModelInfo(repoId: string, res: ServerResponse): void {
    const repo = this.repos.get(repoId);
    if (!repo) return hubError(res, 401, "RepoNotFound", "Repository not found");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: repoId, modelId: repoId, private: false, gated: repo.gated ? "manual" : false }));
  }

  private onTree(repoId: string, url: URL, res: ServerResponse): void {
    const fault = this.takeFault("tree", repoId);
    if (fault?.kind === "status") return statusFault(res, fault);
    const repo = this.repos.get(repoId);
    if (!repo) return hubError(res, 401, "RepoNotFound", "Repository not found");
    const dirs = new Set<string>();
    for (const f of repo.files) {
      const parts = f.path.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    const entries: unknown[] = [
      ...[...dirs].map((path) => ({ type: "directory", oid: sha1(path), size: 0, path })),
      ...repo.files.map((f) => {
        const state = this.files.get(`${repoId}/${f.path}`);
        return {
          type: "file",
          oid: sha1(f.path),
          size: f.content.size,
          path: f.path,
          lfs: { oid: state?.sha256, size: f.content.size, pointerSize: 134 },
        };
      }),
    ];
    const cursor = Number(url.searchParams.get("cursor") ?? 0);
    const page = this.treePageSize > 0 ? entries.slice(cursor, cursor + this.treePageSize) : entries;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.treePageSize > 0 && cursor + this.treePageSize < entries.length) {
      const next = new URL(url);
      next.searchParams.set("cursor", String(cursor + this.treePageSize));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify(page));
  }

  private onResolve(req: IncomingMessage, res: ServerResponse, repoId: string, path: string): void {
    const repo = this.repos.get(repoId);
    if (!repo) return hubError(res, 401, "RepoNotFound", "Repository not found");
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (repo.gated && !(auth && this.tokens.has(auth))) {
      return hubError(res, 403, "GatedRepo", `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
    }
    const fault = this.takeFault("resolve", path);
    if (fault?.kind === "status") return statusFault(res, fault);
    const state = this.files.get(`${repoId}/${path}`);
    if (!state) return hubError(res, 404, "EntryNotFound", `${path} does not exist on "main"`);
    const location = `${this.cdnOrigin}/cdn/${repoId}/${path}?sig=${this.signature}`;
    res.writeHead(302, {
      location,
      "x-linked-size": String(state.file.content.size),
      "x-linked-etag": `"${state.sha256}"`,
      etag: `"${sha1(path)}"`,
      "x-repo-commit": "0".repeat(40),
      "content-length": "0",
    }).end();
  }

  private onCdn(req: IncomingMessage, res: ServerResponse): void {
    this.log("cdn", req, res);
    const url = new URL(req.url ?? "/", this.cdnOrigin);
    const match = /^\/(cdn|files|norange)\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return void res.writeHead(404).end();
    const [, kind, repoId = "", path = ""] = match;
    const key = `${decodeURIComponent(repoId)}/${decodeURIComponent(path)}`;
    const state = this.files.get(key);
    if (!state) return void res.writeHead(404).end();
    if (kind === "cdn" && url.searchParams.get("sig") !== String(this.signature)) {
      return void res.writeHead(403, { "content-type": "text/plain" }).end("Request has expired");
    }
    const fault = this.takeFault("cdn", state.file.path, req.headers.range === "bytes=0-0");
    if (fault?.kind === "status") return statusFault(res, fault);
    const size = state.file.content.size;
    const ranges = kind !== "norange";
    let start = 0;
    let end = size; // exclusive
    const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "") : null;
    const ifRange = req.headers["if-range"];
    const honour = range && !fault?.kind.startsWith("ignore") && (!ifRange || ifRange === state.etag);
    if (range && (fault?.kind === "range-416" || Number(range[1]) >= size)) {
      return void res.writeHead(416, { "content-range": `bytes */${size}` }).end();
    }
    if (honour && range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(size, Number(range[2]) + 1) : size;
    }
    const length = end - start;
    let declared = length;
    if (fault?.kind === "wrong-length") declared = fault.declare === "more" ? length + 4096 : Math.max(1, length - 4096);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(declared),
      etag: state.etag,
    };
    if (ranges) headers["accept-ranges"] = "bytes";
    if (honour) headers["content-range"] = `bytes ${start}-${end - 1}/${size}`;
    res.writeHead(honour ? 206 : 200, headers);
    if (req.method === "HEAD") return void res.end();
    const sendUpTo = fault?.kind === "wrong-length" && fault.declare === "less" ? start + declared : end;
    void this.stream(res, state, key, start, sendUpTo, fault);
  }

  private async stream(res: ServerResponse, state: FileState, key: string, start: number, end: number, fault: Fault | undefined): Promise<void> {
    const slice = this.bytesPerSecond ? Math.max(1024, Math.min(64 * 1024, Math.floor(this.bytesPerSecond / 20))) : 256 * 1024;
    const began = Date.now();
    let sent = 0;
    const flipAt = Math.floor(state.file.content.size / 2);
    for (let at = start; at < end && !res.destroyed; ) {
      let n = Math.min(slice, end - at);
      if ((fault?.kind === "reset" || fault?.kind === "stall") && sent + n > fault.afterBytes) n = Math.max(0, fault.afterBytes - sent);
      if (n === 0) {
        if (fault?.kind === "reset") res.socket?.destroy();
        return; // stall: keep the socket open and send nothing more
      }
      let data = state.file.content.read(at, at + n);
      if (state.corrupt && flipAt >= at && flipAt < at + n) {
        data = Buffer.from(data);
        data[flipAt - at] = (data[flipAt - at] ?? 0) ^ 0xff;
      }
      this.served.set(key, (this.served.get(key) ?? 0) + n);
      sent += n;
      at += n;
      if (!res.write(data)) await drained(res);
      if (this.bytesPerSecond) {
        const due = began + (sent / this.bytesPerSecond) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (res.destroyed) return;
    if (fault?.kind === "wrong-length" && fault.declare === "more") {
      // The promised bytes never come: the connection just ends.
      res.end(() => res.socket?.destroy());
      return;
    }
    res.end();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

function hubError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json", "x-error-code": code, "x-error-message": message });
  res.end(JSON.stringify({ error: message }));
}

function statusFault(res: ServerResponse, fault: Extract<Fault, { kind: "status" }>): void {
  const headers: Record<string, string> = { "content-type": "text/plain" };
  if (fault.retryAfterS !== undefined) headers["retry-after"] = String(fault.retryAfterS);
  res.writeHead(fault.status, headers).end(`emulated ${fault.status}`);
}
