import type { IncomingMessage } from "node:http";
import type { Chunk } from "./chunk-plan";
import { AbortedError } from "./errors";
import type { ChunkWriter } from "./file-writer";
import { header, NetError } from "./http";
import { HttpStatusError, type HubClient } from "./hub-client";
import { rawBodyToFile } from "./raw-body";
import { rawGet } from "./raw-http";
import type { TokenBucket } from "./token-bucket";

/** The server answered 200 to a range request: the object changed (If-Range) or ranges stopped working. */
export class RangeIgnoredError extends Error {
  constructor() {
    super("the server ignored the range request");
    this.name = "RangeIgnoredError";
  }
}

export interface FetchChunkOptions {
  hub: HubClient;
  /** CDN URL from the probe. */
  url: string;
  ifRange: string | null;
  /** Whether the object supports ranges; only then is a 200 answer a sign that it changed. */
  rangeable: boolean;
  /** Offset of the remote object inside the local file. */
  sourceOffset: number;
  chunk: Chunk;
  writer: ChunkWriter;
  throttle: TokenBucket;
  idleTimeoutMs: number;
  signal: AbortSignal;
  /** Called after each write with the bytes just made durable-in-order for this chunk. */
  onWritten: (bytes: number) => void;
  writeBatchBytes?: number;
  /** Longest time received bytes wait in memory, so slow links still show and save progress. */
  writeDelayMs?: number;
}

/**
 * Fetches the rest of one chunk over one connection, writing at its position in the file.
 * `chunk.done` only advances after bytes are written, so a failure at any point leaves it exact.
 */
export async function fetchChunk(o: FetchChunkOptions): Promise<void> {
  const { chunk } = o;
  const from = chunk.start + chunk.done;
  if (from >= chunk.end) return;
  const url = new URL(o.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") return fetchChunkNodeHttp(o);
  const range: Record<string, string> = { range: `bytes=${from - o.sourceOffset}-${chunk.end - 1 - o.sourceOffset}` };
  if (o.ifRange) range["if-range"] = o.ifRange;
  const res = await rawGet(url, { headers: o.hub.headersFor(url, range), signal: o.signal, headersTimeoutMs: o.idleTimeoutMs });
  const status = res.status;
  if (status >= 300 && status < 400) {
    res.destroy();
    return fetchChunkNodeHttp(o); // redirects: let node:http follow them
  }
  checkRangeAnswer(o, from, status, res.headers["content-range"], res.headers, () => res.destroy());
  if (res.contentLength === null) {
    res.destroy();
    return fetchChunkNodeHttp(o); // chunked encoding: node:http decodes it
  }
  await rawBodyToFile(res, {
    chunk,
    writer: o.writer,
    throttle: o.throttle,
    idleTimeoutMs: o.idleTimeoutMs,
    signal: o.signal,
    onWritten: o.onWritten,
    writeBatchBytes: o.writeBatchBytes ?? 1024 * 1024,
    writeDelayMs: o.writeDelayMs ?? 200,
    writeAll,
  });
}

/** The same transfer through node:http: for redirects, chunked bodies and other protocols. */
async function fetchChunkNodeHttp(o: FetchChunkOptions): Promise<void> {
  const { chunk } = o;
  const from = chunk.start + chunk.done;
  const { res } = await o.hub.openRange(o.url, from - o.sourceOffset, chunk.end - 1 - o.sourceOffset, {
    ifRange: o.ifRange,
    signal: o.signal,
    headersTimeoutMs: o.idleTimeoutMs,
  });
  checkRangeAnswer(o, from, res.statusCode ?? 0, header(res.headers, "content-range"), res.headers, () => res.destroy());
  await streamToFile(res, o);
}

/**
 * A range request's answer is usable only as the 206 of exactly the bytes asked for, or as a 200
 * from a server without ranges (else If-Range failed). Anything else drops the response and throws.
 */
function checkRangeAnswer(
  o: FetchChunkOptions,
  from: number,
  status: number,
  contentRange: string | undefined,
  headers: ConstructorParameters<typeof HttpStatusError>[2],
  drop: () => void,
): void {
  if (status === 200) {
    if (!o.rangeable && from === o.sourceOffset) return;
    drop();
    throw new RangeIgnoredError();
  }
  if (status !== 206) {
    drop();
    throw new HttpStatusError(status, o.url, headers);
  }
  const start = Number(/bytes\s+(\d+)-/.exec(contentRange ?? "")?.[1]);
  if (start !== from - o.sourceOffset) {
    drop();
    throw new NetError("transient", `Content-Range starts at ${start}, asked for ${from - o.sourceOffset}`);
  }
}

/**
 * Streams the body into the file: reads are batched into large positional writes, one in
 * flight per connection, and the socket is paused while writes lag or the bandwidth limit
 * says so. Event-driven rather than `for await`, which costs a promise per 64 KiB read.
 */
function streamToFile(res: IncomingMessage, o: FetchChunkOptions): Promise<void> {
  const { chunk } = o;
  const batch = o.writeBatchBytes ?? 1024 * 1024;
  const maxDelay = o.writeDelayMs ?? 200;
  const want = chunk.end - chunk.start;
  let received = chunk.done;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingSince = 0;
  let writing = false;
  let throttled = false;
  let bodyOver = false;
  let bodyError: Error | null = null;
  let lastActivity = performance.now();

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    // Idle timeout counts only time spent waiting for the network, not our own pauses.
    const idle = setInterval(() => {
      if (!writing && !throttled && performance.now() - lastActivity > o.idleTimeoutMs) {
        res.destroy(new NetError("transient", `no data for ${o.idleTimeoutMs} ms`, "ETIMEDOUT"));
      }
    }, Math.max(25, Math.min(1_000, o.idleTimeoutMs / 4)));

    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearInterval(idle);
      if (!res.complete) res.destroy();
      if (error) reject(error);
      else resolve();
    };

    // Called whenever something changed: start a write, resume the socket, or finish.
    const step = () => {
      if (settled) return;
      if (!writing && pendingBytes > 0 && (pendingBytes >= batch || bodyOver || performance.now() - pendingSince >= maxDelay)) {
        writing = true;
        const buffers = pending;
        pending = [];
        pendingBytes = 0;
        writeAll(o.writer, buffers, chunk, o.onWritten).then(
          () => {
            writing = false;
            lastActivity = performance.now();
            step();
          },
          (error: Error) => settle(error),
        );
      }
      if (!writing && pendingBytes === 0 && bodyOver) {
        if (chunk.done >= want) return settle(null);
        if (o.signal.aborted) return settle(new AbortedError());
        return settle(bodyError ?? new NetError("transient", `body ended after ${received} of ${want} bytes`, "ESHORTBODY"));
      }
      const behind = pendingBytes >= 4 * batch;
      if ((behind || throttled) && !res.isPaused()) res.pause();
      else if (!behind && !throttled && res.isPaused() && !bodyOver) res.resume();
    };

    res.on("data", (data: Buffer) => {
      if (bodyOver) return;
      lastActivity = performance.now();
      if (received + data.length > want) data = data.subarray(0, want - received);
      received += data.length;
      if (pendingBytes === 0) pendingSince = lastActivity;
      pending.push(data);
      pendingBytes += data.length;
      if (received >= want) bodyOver = true; // extra bytes (a server ignoring the range end) are dropped
      const wait = o.throttle.take(data.length);
      if (wait > 0) {
        throttled = true;
        setTimeout(() => {
          throttled = false;
          lastActivity = performance.now();
          step();
        }, wait);
      }
      step();
    });
    const over = (error: Error | null) => {
      if (bodyOver) return;
      bodyOver = true;
      if (error) bodyError = error instanceof NetError || error instanceof AbortedError ? error : new NetError("transient", error.message, (error as NodeJS.ErrnoException).code);
      step();
    };
    res.on("end", () => over(null));
    res.on("error", (error) => over(o.signal.aborted ? new AbortedError() : error));
    res.on("close", () => over(o.signal.aborted ? new AbortedError() : res.complete ? null : new NetError("transient", "connection closed mid-body", "ECONNRESET")));
  });
}

/** Writes `buffers` in order at the chunk's position; `chunk.done` counts every byte written, even before a failure. */
async function writeAll(writer: ChunkWriter, buffers: Buffer[], chunk: Chunk, onWritten: (n: number) => void): Promise<void> {
  for (const buffer of buffers) {
    const { bytesWritten, error } = await writer.write(buffer, chunk.start + chunk.done);
    chunk.done += bytesWritten;
    if (bytesWritten > 0) onWritten(bytesWritten);
    if (error) throw error;
  }
}
