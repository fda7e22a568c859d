import { createHash, randomBytes } from "node:crypto";

/** Bytes a test server serves, without having to hold a 1 GB file in memory. */
export interface Content {
  size: number;
  /** [start, end) — may return a view into shared memory; callers must not mutate it. */
  read(start: number, end: number): Buffer;
}

export function bufferContent(buffer: Buffer): Content {
  return { size: buffer.length, read: (start, end) => buffer.subarray(start, end) };
}

/** A block repeated up to `size`: cheap to serve at any size, still a valid GGUF header at 0. */
export function repeatingContent(size: number, block: Buffer): Content {
  return {
    size,
    read(start, end) {
      const at = start % block.length;
      // One contiguous view when the range does not wrap, a copy when it does.
      if (at + (end - start) <= block.length) return block.subarray(at, at + (end - start));
      const out = Buffer.allocUnsafe(end - start);
      for (let written = 0; written < out.length; ) {
        const from = (start + written) % block.length;
        const n = Math.min(block.length - from, out.length - written);
        block.copy(out, written, from, from + n);
        written += n;
      }
      return out;
    },
  };
}

/** A GGUF v3 header (no tensors, no metadata) followed by random bytes. */
export function ggufBytes(size: number, version = 3): Buffer {
  const out = randomBytes(size);
  ggufHeader(version).copy(out, 0);
  return out;
}

export function ggufHeader(version = 3): Buffer {
  const header = Buffer.alloc(24);
  header.write("GGUF", 0, "latin1");
  header.writeUInt32LE(version, 4);
  header.writeBigUInt64LE(0n, 8); // tensor count
  header.writeBigUInt64LE(0n, 16); // metadata kv count
  return header;
}

export function sha256Of(content: Content): string {
  const hash = createHash("sha256");
  const step = 8 * 1024 * 1024;
  for (let at = 0; at < content.size; at += step) hash.update(content.read(at, Math.min(content.size, at + step)));
  return hash.digest("hex");
}
