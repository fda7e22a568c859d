import net from "node:net";
import tls from "node:tls";
import { AbortedError } from "./errors";
import { classifyNetworkError, NetError } from "./http";

/**
 * A minimal HTTP/1.1 client for the big ranged GETs to the CDN. Each socket reads into one
 * reusable buffer (`onread`), or straight into the body reader's own buffer when it offers one
 * (`readInto`): no allocation, copy, HTTP parser or stream machinery per read, which takes CPU
 * per byte from node:http's ~3x curl's down to about curl's. Only what downloads need: GET,
 * Content-Length bodies, keep-alive. Anything else (chunked, redirects) is left to node:http
 * by the caller.
 */

const READ_BUFFER = 256 * 1024;
const MAX_HEAD = 64 * 1024;
const IDLE_SOCKET_MS = 30_000;

export interface RawResponse {
  status: number;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** null when the body is not delimited by Content-Length (the caller should not read it). */
  contentLength: number | null;
  /**
   * Delivers the body. `onData`'s view is only valid during the call (copy what you keep);
   * return false to pause until `resume()`. Exactly one of onEnd/onError is called.
   */
  readBody(handlers: BodyHandlers): void;
  resume(): void;
  /** Body bytes the server has yet to send, as its Content-Length says. */
  bodyRemaining(): number;
  /** Abandons the response and closes the connection; a reader gets onError(error). */
  destroy(error?: Error): void;
}

export interface BodyHandlers {
  onData(view: Buffer): boolean;
  onEnd(): void;
  onError(error: Error): void;
  /**
   * Where the socket's next read may land (asked after every read): a region the reader owns
   * and leaves alone until it sees that read in onData, or null for the connection's buffer.
   * No read lands there after onEnd/onError, so the reader may then reuse the memory.
   */
  readInto?(): Buffer | null;
}

type Sink = (view: Buffer) => void;

class Connection {
  sink: Sink | null = null;
  /** The body reader's buffer provider while a body is being read. */
  readInto: (() => Buffer | null) | null = null;
  closedWith: Error | null = null;
  onClose: ((error: Error) => void) | null = null;
  idleTimer: NodeJS.Timeout | undefined;
  readonly socket: net.Socket;

  constructor(readonly origin: string, url: URL, ca?: string) {
    const own = Buffer.allocUnsafe(READ_BUFFER);
    const onread = {
      // Node asks again after every read; a destroyed socket reads no more.
      buffer: (): Uint8Array => (this.closedWith ? own : (this.readInto?.() ?? own)),
      callback: (n: number, buf: Uint8Array): boolean => {
        this.onBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true; // flow control goes through socket.pause()/resume()
      },
    };
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    this.socket =
      url.protocol === "https:"
        ? // @types/node lacks onread on tls.connect; Node supports it (same as net.connect).
          tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ["http/1.1"], ca, onread } as tls.ConnectionOptions)
        : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    const closed = (error: Error) => {
      if (this.closedWith) return;
      this.closedWith = error;
      this.readInto = null;
      this.onClose?.(error);
    };
    this.socket.on("error", (error) => closed(classifyNetworkError(error)));
    this.socket.on("close", () => closed(new NetError("transient", "connection closed", "ECONNRESET")));
    this.socket.on("end", () => this.socket.end());
  }

  private onBytes(view: Buffer): void {
    if (this.sink) this.sink(view);
    else this.socket.destroy(); // bytes nobody asked for: the connection is out of sync
  }
}

const idle = new Map<string, Connection[]>();

function takeIdle(origin: string): Connection | undefined {
  const list = idle.get(origin);
  while (list && list.length > 0) {
    const conn = list.pop();
    if (conn && !conn.closedWith) {
      clearTimeout(conn.idleTimer);
      return conn;
    }
  }
  return undefined;
}

function release(conn: Connection): void {
  if (conn.closedWith) return;
  conn.sink = null;
  conn.readInto = null;
  conn.onClose = null;
  const list = idle.get(conn.origin) ?? [];
  list.push(conn);
  idle.set(conn.origin, list);
  conn.idleTimer = setTimeout(() => conn.socket.destroy(), IDLE_SOCKET_MS);
  conn.idleTimer.unref();
  conn.socket.unref();
}

export interface RawGetOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  /** Extra trusted CA (PEM), for tests against a local TLS server. */
  ca?: string;
}

/** GET with keep-alive reuse; a reused socket that turns out dead is retried once on a fresh one. */
export async function rawGet(url: URL, options: RawGetOptions): Promise<RawResponse> {
  const reused = takeIdle(url.origin);
  if (reused) {
    try {
      return await exchange(reused, url, options, true);
    } catch (error) {
      if (!(error instanceof StaleConnection)) throw error;
    }
  }
  return exchange(new Connection(url.origin, url, options.ca), url, options, false);
}

class StaleConnection extends Error {}

function exchange(conn: Connection, url: URL, options: RawGetOptions, reused: boolean): Promise<RawResponse> {
  const { signal } = options;
  conn.socket.ref();
  return new Promise<RawResponse>((resolve, reject) => {
    if (signal?.aborted) {
      conn.socket.destroy();
      return reject(new AbortedError());
    }
    let head: Buffer = Buffer.alloc(0);
    let gotBytes = false;
    let response: RawResponse | null = null;
    let bodyLeft = 0;
    let early: Buffer | null = null;
    let handlers: BodyHandlers | null = null;
    let paused = false;
    let finished = false;
    let keepAlive = true;
    let pendingError: Error | null = null;

    const timer = options.headersTimeoutMs
      ? setTimeout(() => conn.socket.destroy(new NetError("transient", "timed out waiting for response headers", "ETIMEDOUT")), options.headersTimeoutMs)
      : undefined;
    const onAbort = () => conn.socket.destroy(new AbortedError());
    signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };

    const fail = (error: Error) => {
      if (finished) return;
      finished = true;
      cleanup();
      const final = signal?.aborted ? new AbortedError() : error;
      if (!response) {
        // Nothing came back on a socket from the pool: the server had closed it; try a fresh one.
        reject(reused && !gotBytes && !(final instanceof AbortedError) ? new StaleConnection() : final);
      } else if (handlers) {
        handlers.onError(final);
      } else {
        early = null;
        pendingError = final;
      }
    };
    conn.onClose = fail;
    if (conn.closedWith) return fail(conn.closedWith);

    const complete = () => {
      finished = true;
      conn.readInto = null; // before onEnd: the reader may reuse its buffers from then on
      cleanup();
      if (keepAlive) release(conn);
      else conn.socket.destroy();
      handlers?.onEnd();
    };

    const deliver = (view: Buffer) => {
      const take = Math.min(view.length, bodyLeft);
      if (take < view.length) keepAlive = false; // more than Content-Length: do not trust this socket again
      bodyLeft -= take;
      const wantMore = take > 0 ? handlers?.onData(view.subarray(0, take)) !== false : true;
      if (finished) return; // the reader gave up on this response
      if (bodyLeft === 0) return complete();
      if (!wantMore) {
        paused = true;
        conn.socket.pause();
      }
    };

    conn.sink = (view) => {
      gotBytes = true;
      if (finished) return;
      if (response) {
        if (handlers) deliver(view);
        else early = early ? Buffer.concat([early, view]) : Buffer.from(view);
        return;
      }
      // Usually the whole head is in the first read: look there without copying the body bytes.
      head = head.length === 0 ? view : Buffer.concat([head, view]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD) conn.socket.destroy(new NetError("transient", "response headers too large"));
        else if (head === view) head = Buffer.from(view); // the read buffer is reused: keep a copy
        return;
      }
      clearTimeout(timer);
      const parsed = parseHead(head.subarray(0, end).toString("latin1"));
      if (!parsed) return void conn.socket.destroy(new NetError("transient", "malformed response head"));
      const rest = head.subarray(end + 4);
      const lengthHeader = parsed.headers["content-length"];
      const contentLength = parsed.headers["transfer-encoding"] || lengthHeader === undefined ? null : Number(lengthHeader);
      keepAlive = parsed.keepAlive && contentLength !== null;
      bodyLeft = contentLength ?? 0;
      if (rest.length > 0) early = Buffer.from(rest);
      response = {
        status: parsed.status,
        headers: parsed.headers,
        contentLength,
        readBody(h) {
          handlers = h;
          if (h.readInto) conn.readInto = () => (finished ? null : (h.readInto?.() ?? null));
          if (pendingError) return h.onError(pendingError);
          if (contentLength === null) return h.onError(new NetError("transient", "body without Content-Length"));
          const first = early;
          early = null;
          if (first) deliver(first);
          else if (bodyLeft === 0) complete();
        },
        bodyRemaining: () => bodyLeft,
        resume() {
          if (paused && !finished) {
            paused = false;
            conn.socket.resume();
          }
        },
        destroy(error) {
          if (finished) return;
          finished = true;
          conn.readInto = null;
          cleanup();
          conn.socket.destroy();
          handlers?.onError(error ?? new NetError("transient", "response abandoned"));
        },
      };
      resolve(response);
    };

    const path = `${url.pathname}${url.search}`;
    const lines = [`GET ${path} HTTP/1.1`, `host: ${url.host}`];
    for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`);
    lines.push("connection: keep-alive", "", "");
    conn.socket.write(lines.join("\r\n"));
  });
}

function parseHead(text: string): { status: number; headers: Record<string, string>; keepAlive: boolean } | null {
  const lines = text.split("\r\n");
  const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const at = line.indexOf(":");
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const connection = (headers.connection ?? "").toLowerCase();
  const keepAlive = status[1] === "1" ? !connection.includes("close") : connection.includes("keep-alive");
  return { status: Number(status[2]), headers, keepAlive };
}
