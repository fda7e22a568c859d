import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

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

/**
 * sha256 of each remote object, computed while the download runs: it re-reads the file's
 * written prefix (just written, so from the page cache) as connections extend it. Node cannot
 * save a hash's state, so after a restart the prefix on disk is hashed again from byte 0.
 */
export class PrefixHasher {
  private hashedUpTo = 0;
  private sourceIdx = 0;
  private hash: Hash = createHash("sha256");
  private target = 0;
  private running: Promise<void> | null = null;
  private readonly buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  readonly digests: string[] = [];
  mismatch: HashMismatch | null = null;
  failure: unknown = null;

  constructor(
    private readonly fh: FileHandle,
    private readonly sources: readonly HashedSource[],
    private readonly onMismatch: (m: HashMismatch) => void = () => undefined,
  ) {}

  get position(): number {
    return this.hashedUpTo;
  }

  /** Hashes up to `frontier` in the background; resolves when caught up. */
  advance(frontier: number): Promise<void> {
    this.target = Math.max(this.target, frontier);
    this.running ??= this.pump().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Waits until everything up to `end` is hashed (or a mismatch stopped it). */
  async finish(end: number): Promise<void> {
    while (this.hashedUpTo < end && !this.mismatch && !this.failure) await this.advance(end);
    if (this.failure) throw this.failure;
  }

  private async pump(): Promise<void> {
    try {
      while (this.hashedUpTo < this.target && !this.mismatch) {
        const source = this.sources[this.sourceIdx];
        if (!source) return;
        const sourceEnd = source.offset + source.size;
        const length = Math.min(this.buffer.length, this.target - this.hashedUpTo, sourceEnd - this.hashedUpTo);
        const { bytesRead } = await this.fh.read(this.buffer, 0, length, this.hashedUpTo);
        if (bytesRead <= 0) throw new Error(`short read at ${this.hashedUpTo}`);
        this.hash.update(this.buffer.subarray(0, bytesRead));
        this.hashedUpTo += bytesRead;
        if (this.hashedUpTo === sourceEnd) this.closeSource(source);
      }
    } catch (error) {
      this.failure = error;
    }
  }

  private closeSource(source: HashedSource): void {
    const actual = this.hash.digest("hex");
    this.digests.push(actual);
    if (source.sha256 && source.sha256 !== actual) {
      this.mismatch = { sourceIdx: this.sourceIdx, expected: source.sha256, actual };
      this.onMismatch(this.mismatch);
    }
    this.sourceIdx++;
    this.hash = createHash("sha256");
  }
}
