import type { Chunk } from "./chunk-plan";
import { AbortedError } from "./errors";
import type { ChunkWriter } from "./file-writer";
import { NetError } from "./http";
import type { RawResponse } from "./raw-http";
import type { TokenBucket } from "./token-bucket";

export interface RawBodyOptions {
  chunk: Chunk;
  writer: ChunkWriter;
  throttle: TokenBucket;
  idleTimeoutMs: number;
  signal: AbortSignal;
  onWritten: (bytes: number) => void;
  writeBatchBytes: number;
  writeDelayMs: number;
  writeAll: (writer: ChunkWriter, buffers: Buffer[], chunk: Chunk, onWritten: (n: number) => void) => Promise<void>;
}

/**
 * Batch buffers kept between fetches: a fresh 1 MiB buffer per chunk costs page faults and GC.
 * Shared memory, so the file's writer thread reads them without a copy.
 */
const spareBuffers: Buffer[] = [];
const MAX_SPARE_BUFFERS = 16;

function takeBuffer(size: number): Buffer {
  const at = spareBuffers.findIndex((b) => b.length === size);
  return at >= 0 ? (spareBuffers.splice(at, 1)[0] as Buffer) : Buffer.from(new SharedArrayBuffer(size));
}

function giveBack(buffers: Buffer[]): void {
  for (const b of buffers) if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(b);
}

/** A batch with less room than this goes to disk: smaller reads are not worth a syscall. */
const MIN_READ_BYTES = 64 * 1024;

interface Batch {
  buffer: Buffer;
  /** Body bytes in the buffer. */
  fill: number;
  /** Bytes handed to the write queue. */
  queued: number;
  /** Queued regions not written yet. */
  writesLeft: number;
  /** Full: the buffer is free again once its writes are done. */
  retired: boolean;
}

/**
 * Has the socket read a raw response body straight into batch buffers (copying only what
 * arrives in the connection's own buffer) and writes them at the chunk's position, one write
 * in flight. The socket pauses when the disk lags or the bandwidth limit says so. `chunk.done`
 * advances only after a write, so any failure leaves it exact.
 */
export function rawBodyToFile(res: RawResponse, o: RawBodyOptions): Promise<void> {
  const { chunk } = o;
  const want = chunk.end - chunk.start;
  let received = chunk.done;
  const batchOf = (buffer: Buffer): Batch => ({ buffer, fill: 0, queued: 0, writesLeft: 0, retired: false });
  // One buffer filling, one being written, one spare: reads rarely wait for the disk.
  const free: Buffer[] = [takeBuffer(o.writeBatchBytes), takeBuffer(o.writeBatchBytes)];
  let current = batchOf(takeBuffer(o.writeBatchBytes));
  const queue: Array<{ batch: Batch; view: Buffer }> = [];
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
      // Destroyed, or finished (then the connection stopped reading into our buffers).
      if (!bodyOver) res.destroy();
      // No write is in flight once settled: every batch buffer is idle.
      giveBack([...new Set([current.buffer, ...free, ...queue.map((r) => r.batch.buffer)])]);
      if (error) reject(error);
      else resolve();
    };

    const queueFilled = () => {
      if (current.fill === current.queued) return;
      queue.push({ batch: current, view: current.buffer.subarray(current.queued, current.fill) });
      current.writesLeft++;
      current.queued = current.fill;
    };

    const recycle = (batch: Batch) => {
      if (!batch.retired || batch.writesLeft > 0) return;
      free.push(batch.buffer);
      starved = false;
    };

    // Only right after a read: the region the socket was lent has just been filled.
    const rotate = () => {
      queueFilled();
      current.retired = true;
      recycle(current);
      current = batchOf(free.pop() ?? takeBuffer(o.writeBatchBytes));
      if (free.length === 0) starved = true; // this buffer fills; then wait for the disk
    };

    const pump = () => {
      if (settled) return;
      if (!writing && queue.length > 0) {
        writing = true;
        const region = queue.shift() as { batch: Batch; view: Buffer };
        o.writeAll(o.writer, [region.view], chunk, o.onWritten).then(
          () => {
            writing = false;
            region.batch.writesLeft--;
            recycle(region.batch);
            lastActivity = performance.now();
            pump();
          },
          (error: Error) => settle(error),
        );
      }
      if (bodyOver && !writing && queue.length === 0) {
        if (current.fill > current.queued) {
          queueFilled();
          return pump();
        }
        if (chunk.done >= want) return settle(null);
        if (o.signal.aborted) return settle(new AbortedError());
        return settle(bodyError ?? new NetError("transient", `body ended after ${received} of ${want} bytes`, "ESHORTBODY"));
      }
      if (!bodyOver && !starved && !throttled) res.resume();
    };

    res.readBody({
      readInto: () => (settled || bodyOver ? null : current.buffer.subarray(current.fill)),
      onData(view) {
        lastActivity = performance.now();
        const rest = received + view.length > want ? view.subarray(0, want - received) : view;
        received += rest.length;
        if (current.fill === current.queued) fillSince = lastActivity;
        if (rest.buffer === current.buffer.buffer && rest.byteOffset === current.buffer.byteOffset + current.fill) {
          current.fill += rest.length; // the socket read into our buffer: nothing to copy
        } else {
          for (let at = 0; at < rest.length; ) {
            const n = rest.copy(current.buffer, current.fill, at);
            current.fill += n;
            at += n;
            if (at < rest.length) rotate();
          }
        }
        if (current.buffer.length - current.fill < MIN_READ_BYTES) rotate();
        else if (current.fill > current.queued && lastActivity - fillSince >= o.writeDelayMs) queueFilled();
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
