import { Worker } from "node:worker_threads";

export interface HashedSource {
  offset: number;
  size: number;
  sha256: string | null;
}

export interface HashMismatch {
  sourceIdx: number;
  expected: string;
  actual: string;
}

// Plain JS so it runs as an eval'ed worker in vitest, node and Electron alike (no bundling step).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { path, sources } = workerData;
const fd = openSync(path, "r");
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
let position = 0, sourceIdx = 0, hash = createHash("sha256"), target = 0;
parentPort.on("message", (message) => {
  if (message.stop) { closeSync(fd); process.exit(0); }
  target = Math.max(target, message.frontier);
  try {
    while (position < target && sourceIdx < sources.length) {
      const source = sources[sourceIdx];
      const end = source.offset + source.size;
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, target - position, end - position), position);
      if (n <= 0) throw new Error("short read at " + position);
      hash.update(buffer.subarray(0, n));
      position += n;
      if (position === end) {
        parentPort.postMessage({ sourceIdx, digest: hash.digest("hex") });
        sourceIdx++;
        hash = createHash("sha256");
      }
    }
    parentPort.postMessage({ position });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

/**
 * sha256 of each remote object, computed while the download runs, on a worker thread so
 * hashing overlaps the network. It re-reads the file's written prefix (just written, so from the
 * page cache) as connections extend it. Node cannot save a hash's state, so after a restart
 * the prefix already on disk is hashed again from byte 0.
 */
export class PrefixHasher {
  readonly digests: string[] = [];
  mismatch: HashMismatch | null = null;
  failure: Error | null = null;
  private position = 0;
  private posted = 0;
  private readonly worker: Worker;
  private readonly waiters = new Set<() => void>();
  private closed: Promise<void> | null = null;

  constructor(
    path: string,
    private readonly sources: readonly HashedSource[],
    private readonly onMismatch: (m: HashMismatch) => void = () => undefined,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, sources: sources.map(({ offset, size }) => ({ offset, size })) } });
    this.worker.unref();
    this.worker.on("message", (m: { sourceIdx?: number; digest?: string; position?: number; error?: string }) => {
      if (m.digest !== undefined && m.sourceIdx !== undefined) this.onDigest(m.sourceIdx, m.digest);
      if (m.position !== undefined) this.position = m.position;
      if (m.error !== undefined) this.failure = new Error(m.error);
      this.wake();
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      this.wake();
    });
  }

  /** Lets the worker hash up to `frontier`; cheap to call on every write. */
  advance(frontier: number, force = false): void {
    // Coalesced: a message per 4 MiB of progress is plenty.
    if (frontier <= this.posted || (!force && frontier - this.posted < 4 * 1024 * 1024)) return;
    this.posted = frontier;
    this.worker.postMessage({ frontier });
  }

  /** Waits until everything up to `end` is hashed (or a mismatch or error stopped it). */
  async finish(end: number): Promise<void> {
    this.advance(end, true);
    while (this.position < end && this.digests.length < this.sources.length && !this.mismatch && !this.failure) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the worker and closes its file (before a rename or delete of the partial). Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.stop();
    return this.closed;
  }

  private async stop(): Promise<void> {
    this.worker.postMessage({ stop: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 1_000);
      this.worker.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onDigest(sourceIdx: number, actual: string): void {
    this.digests[sourceIdx] = actual;
    const expected = this.sources[sourceIdx]?.sha256;
    if (expected && expected !== actual && !this.mismatch) {
      this.mismatch = { sourceIdx, expected, actual };
      this.onMismatch(this.mismatch);
    }
  }

  private wake(): void {
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }
}
