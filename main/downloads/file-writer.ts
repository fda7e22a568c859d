import { Worker } from "node:worker_threads";
import { AbortedError } from "./errors";

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

export interface WriteResult {
  bytesWritten: number;
  /** Why the write stopped short (after `bytesWritten` bytes). */
  error?: WriteError;
}

/** Where a chunk's bytes go: the FileWriter of its file. */
export interface ChunkWriter {
  write(bytes: Buffer, at: number): Promise<WriteResult>;
}

/**
 * Bytes per write call. Larger writes make the kernel allocate larger page-cache folios, and in a
 * VM that hands free memory back to its host those cost far more CPU once memory is fragmented
 * (1 MiB writes: 0.3 s or 3 s of CPU per GiB from one run to the next). 32 KiB pieces were the
 * steadiest on this 2-core VM (bench:download, alternating runs: 0.88-0.93x curl at 32 KiB,
 * 0.62-0.89x at 128 KiB); a writer thread of its own makes the extra calls cheap.
 */
const WRITE_PIECE_BYTES = 32 * 1024;

// Plain JS so it runs as an eval'ed worker in vitest, node and Electron alike (no bundling step).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, writeSync, closeSync } = require("node:fs");
const { path, pieceBytes } = workerData;
const fd = openSync(path, "r+");
const shared = new Map();
parentPort.on("message", (m) => {
  if (m.stop) { closeSync(fd); process.exit(0); }
  if (m.register !== undefined) return shared.set(m.register, m.memory);
  const view = m.bytes ? Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length) : Buffer.from(shared.get(m.id), m.offset, m.length);
  let done = 0, error;
  try {
    while (done < view.length) {
      const n = writeSync(fd, view, done, Math.min(pieceBytes, view.length - done), m.at + done);
      if (n === 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      done += n;
    }
  } catch (e) {
    error = { message: String((e && e.message) || e), code: e && e.code };
  }
  parentPort.postMessage({ w: m.w, n: done, error });
});
`;

interface Reply {
  w: number;
  n: number;
  error?: { message: string; code?: string };
}

/**
 * Writes one file's bytes on a thread of its own, in the order they are handed over. One thread
 * per file instead of the shared libuv pool: the connections' writes do not contend for the
 * file's inode lock, and each batch costs one message instead of a pool round trip per piece.
 * Buffers backed by a SharedArrayBuffer reach the thread without a copy; others are copied.
 */
export class FileWriter implements ChunkWriter {
  private nextWrite = 0;
  private readonly writes = new Map<number, (result: WriteResult) => void>();
  private readonly memoryIds = new WeakMap<SharedArrayBuffer, number>();
  private nextMemoryId = 0;
  private readonly worker: Worker;
  private closed: Promise<void> | null = null;
  private exited = false;

  /** `path` must exist. */
  constructor(path: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, pieceBytes: WRITE_PIECE_BYTES } });
    this.worker.unref();
    this.worker.on("message", (m: Reply) => this.onReply(m));
    this.worker.on("error", () => this.abandonWrites());
    this.worker.on("exit", () => {
      this.exited = true;
      this.abandonWrites();
    });
  }

  /** Writes `bytes` at `at`; resolves with how much was written and why it stopped short. */
  write(bytes: Buffer, at: number): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new AbortedError());
    const w = this.nextWrite++;
    const memory = bytes.buffer;
    if (memory instanceof SharedArrayBuffer) {
      let id = this.memoryIds.get(memory);
      if (id === undefined) {
        id = this.nextMemoryId++;
        this.memoryIds.set(memory, id);
        this.worker.postMessage({ register: id, memory });
      }
      this.worker.postMessage({ w, id, offset: bytes.byteOffset, length: bytes.length, at });
    } else {
      const copy = new Uint8Array(bytes); // its own memory, so it can be moved rather than cloned
      this.worker.postMessage({ w, bytes: copy, at }, [copy.buffer]);
    }
    return new Promise((resolve) => this.writes.set(w, resolve));
  }

  /** Stops the thread once the writes handed over are done, and closes its file. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.stop();
    return this.closed;
  }

  private async stop(): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ stop: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 10_000);
      this.worker.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onReply(m: Reply): void {
    const resolve = this.writes.get(m.w);
    this.writes.delete(m.w);
    const error = m.error ? new WriteError(Object.assign(new Error(m.error.message), { code: m.error.code })) : undefined;
    resolve?.({ bytesWritten: m.n, error });
  }

  /** A thread gone (crashed, terminated) answers no more writes. */
  private abandonWrites(): void {
    const gone = new WriteError(Object.assign(new Error("the file writer stopped"), { code: "EWORKER" }));
    for (const resolve of this.writes.values()) resolve({ bytesWritten: 0, error: gone });
    this.writes.clear();
  }
}
