import type { FileHandle } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { sleep } from "./backoff";
import type { Chunk } from "./chunk-plan";
import { AbortedError } from "./errors";
import { header, NetError } from "./http";
import { HttpStatusError, type HubClient } from "./hub-client";
import type { TokenBucket } from "./token-bucket";

/** The server answered 200 to a range request: the object changed (If-Range) or ranges stopped working. */
export class RangeIgnoredError extends Error {
  constructor() {
    super("the server ignored the range request");
    this.name = "RangeIgnoredError";
  }
}

/** A failed disk write: never retried like a network error. */
export class WriteError extends Error {
  constructor(override readonly cause: NodeJS.ErrnoException) {
    super(cause.message);
    this.name = "WriteError";
  }
  get code(): string | undefined {
    return this.cause.code;
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
  fh: FileHandle;
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
  const { res } = await o.hub.openRange(o.url, from - o.sourceOffset, chunk.end - 1 - o.sourceOffset, {
    ifRange: o.ifRange,
    signal: o.signal,
    headersTimeoutMs: o.idleTimeoutMs,
  });
  const status = res.statusCode ?? 0;
  if (status === 200) {
    // A whole-object answer is usable only from a server without ranges; otherwise If-Range failed.
    if (o.rangeable || from !== o.sourceOffset) {
      res.destroy();
      throw new RangeIgnoredError();
    }
  } else if (status === 206) {
    const start = Number(/bytes\s+(\d+)-/.exec(header(res.headers, "content-range") ?? "")?.[1]);
    if (start !== from - o.sourceOffset) {
      res.destroy();
      throw new NetError("transient", `Content-Range starts at ${start}, asked for ${from - o.sourceOffset}`);
    }
  } else {
    res.destroy();
    throw new HttpStatusError(status, o.url, res.headers);
  }
  await streamToFile(res, o);
}

async function streamToFile(res: IncomingMessage, o: FetchChunkOptions): Promise<void> {
  const { chunk } = o;
  const batch = o.writeBatchBytes ?? 1024 * 1024;
  const maxDelay = o.writeDelayMs ?? 200;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingSince = 0;
  let received = chunk.done;
  const want = chunk.end - chunk.start;

  const writePending = async () => {
    const buffers = pending;
    pending = [];
    pendingBytes = 0;
    await writeAll(o.fh, buffers, chunk, o.onWritten);
  };

  const iterator = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    while (received < want) {
      // Idle timeout counts only time spent waiting for the network, not our own pauses.
      const idle = setTimeout(
        () => res.destroy(new NetError("transient", `no data for ${o.idleTimeoutMs} ms`, "ETIMEDOUT")),
        o.idleTimeoutMs,
      );
      let step: IteratorResult<Buffer>;
      try {
        step = await iterator.next();
      } finally {
        clearTimeout(idle);
      }
      if (step.done) break;
      let data = step.value;
      if (received + data.length > want) data = data.subarray(0, want - received);
      received += data.length;
      if (pendingBytes === 0) pendingSince = performance.now();
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= batch || received >= want || performance.now() - pendingSince >= maxDelay) await writePending();
      const wait = o.throttle.take(data.length);
      if (wait > 0) await sleep(wait, o.signal);
    }
  } catch (error) {
    // Keep what arrived before the failure: it is valid and saves a re-fetch.
    if (!(error instanceof WriteError) && pendingBytes > 0) await writePending().catch(() => undefined);
    if (error instanceof WriteError || error instanceof AbortedError) throw error;
    if (o.signal.aborted) throw new AbortedError();
    throw error instanceof NetError ? error : new NetError("transient", (error as Error).message, (error as NodeJS.ErrnoException).code);
  } finally {
    // Extra bytes (a server ignoring the range end) or an early exit: drop the connection.
    if (!res.complete) res.destroy();
  }
  if (pendingBytes > 0) await writePending();
  if (chunk.done < want) {
    throw new NetError("transient", `body ended after ${received} of ${want} bytes`, "ESHORTBODY");
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[], chunk: Chunk, onWritten: (n: number) => void): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let written: number;
    try {
      ({ bytesWritten: written } = await fh.writev(rest, chunk.start + chunk.done));
    } catch (error) {
      throw new WriteError(error as NodeJS.ErrnoException);
    }
    if (written === 0) throw new WriteError(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
    chunk.done += written;
    onWritten(written);
    rest = dropBytes(rest, written);
  }
}

/** The buffers left after the first `n` bytes were written (short writes happen on a full disk). */
export function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
