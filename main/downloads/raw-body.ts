import type { FileHandle } from "node:fs/promises";
import type { Chunk } from "./chunk-plan";
import { AbortedError } from "./errors";
import { NetError } from "./http";
import type { RawResponse } from "./raw-http";
import type { TokenBucket } from "./token-bucket";

export interface RawBodyOptions {
  chunk: Chunk;
  fh: FileHandle;
  throttle: TokenBucket;
  idleTimeoutMs: number;
  signal: AbortSignal;
  onWritten: (bytes: number) => void;
  writeBatchBytes: number;
  writeDelayMs: number;
  writeAll: (fh: FileHandle, buffers: Buffer[], chunk: Chunk, onWritten: (n: number) => void) => Promise<void>;
}

/**
 * Copies a raw response body into reusable batch buffers and writes them at the chunk's
 * position, one write in flight. The socket pauses when the disk lags or the bandwidth limit
 * says so. `chunk.done` advances only after a write, so any failure leaves it exact.
 */
export function rawBodyToFile(res: RawResponse, o: RawBodyOptions): Promise<void> {
  const { chunk } = o;
  const want = chunk.end - chunk.start;
  let received = chunk.done;
  // One buffer filling, one being written, one spare: reads rarely wait for the disk.
  const free: Buffer[] = [0, 1, 2].map(() => Buffer.allocUnsafe(o.writeBatchBytes));
  const queue: Buffer[] = [];
  let current = free.pop() as Buffer;
  let fill = 0;
  let fillSince = 0;
  let writing = false;
  let throttled = false;
  let starved = false;
  let bodyOver = false;
  let bodyError: Error | null = null;
  let lastActivity = performance.now();

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const idle = setInterval(() => {
      if (!writing && !throttled && !starved && !bodyOver && performance.now() - lastActivity > o.idleTimeoutMs) {
        res.destroy(new NetError("transient", `no data for ${o.idleTimeoutMs} ms`, "ETIMEDOUT"));
      }
    }, Math.max(25, Math.min(1_000, o.idleTimeoutMs / 4)));

    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearInterval(idle);
      if (!bodyOver) res.destroy();
      if (error) reject(error);
      else resolve();
    };

    const enqueueCurrent = () => {
      if (fill === 0) return;
      queue.push(current.subarray(0, fill));
      fill = 0;
      current = free.pop() ?? Buffer.allocUnsafe(o.writeBatchBytes);
      if (free.length === 0) starved = true; // one more read fits; then wait for the disk
    };

    const pump = () => {
      if (settled) return;
      if (!writing && queue.length > 0) {
        writing = true;
        const batch = queue.shift() as Buffer;
        o.writeAll(o.fh, [batch], chunk, o.onWritten).then(
          () => {
            writing = false;
            free.push(Buffer.from(batch.buffer, batch.byteOffset, o.writeBatchBytes));
            lastActivity = performance.now();
            if (starved && free.length > 0) starved = false;
            pump();
          },
          (error: Error) => settle(error),
        );
      }
      if (bodyOver && !writing && queue.length === 0) {
        if (fill > 0) {
          enqueueCurrent();
          return pump();
        }
        if (chunk.done >= want) return settle(null);
        if (o.signal.aborted) return settle(new AbortedError());
        return settle(bodyError ?? new NetError("transient", `body ended after ${received} of ${want} bytes`, "ESHORTBODY"));
      }
      if (!bodyOver && !starved && !throttled) res.resume();
    };

    res.readBody({
      onData(view) {
        lastActivity = performance.now();
        let rest = received + view.length > want ? view.subarray(0, want - received) : view;
        received += rest.length;
        while (rest.length > 0) {
          if (fill === 0) fillSince = lastActivity;
          const n = Math.min(rest.length, current.length - fill);
          rest.copy(current, fill, 0, n);
          fill += n;
          rest = rest.subarray(n);
          if (fill === current.length) enqueueCurrent();
        }
        if (fill > 0 && lastActivity - fillSince >= o.writeDelayMs) enqueueCurrent();
        if (received >= want && res.bodyRemaining() > 0) {
          bodyOver = true; // a server sending past the range end: drop the connection
          res.destroy();
        }
        const wait = o.throttle.take(view.length);
        if (wait > 0) {
          throttled = true;
          setTimeout(() => {
            throttled = false;
            lastActivity = performance.now();
            pump();
          }, wait);
        }
        pump();
        return !starved && !throttled;
      },
      onEnd() {
        bodyOver = true;
        pump();
      },
      onError(error) {
        if (bodyOver) return;
        bodyOver = true;
        bodyError = error;
        pump();
      },
    });
  });
}
