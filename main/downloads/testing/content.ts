import { createHash, randomBytes } from "node:crypto";
import { kv, type GgufKv } from "../../../node/gguf/gguf-values";
import { minimalKv } from "../../../node/gguf/minimal-header";
import { SPLIT_KEYS } from "../../../node/gguf/split";
import { layoutGguf } from "../../../node/gguf/writer";

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

export interface GgufShape {
  /** gguf-split shard `no` (0-based) of `count`; omitted for a whole file. */
  split?: { no: number; count: number };
  architecture?: string;
}

/** Not minimax-m2, whose full tensor table (which the validator checks) would not fit the smallest fixtures. */
const FIXTURE_ARCH = "llama";

/**
 * The header of a valid GGUF v3 of exactly `size` bytes, which the engine's validator accepts:
 * the validator's minimal metadata (in the first shard) and one F32 vector filling the rest of the file.
 */
export function ggufPrefix(size: number, shape: GgufShape = {}): Buffer {
  const kvs: GgufKv[] = [];
  const no = shape.split?.no ?? 0;
  if (no === 0) kvs.push(...minimalKv(shape.architecture ?? FIXTURE_ARCH));
  if (shape.split) kvs.push(kv.u16(SPLIT_KEYS.no, no), kv.u16(SPLIT_KEYS.count, shape.split.count), kv.i32(SPLIT_KEYS.tensorsCount, shape.split.count));
  const tensor = (n: number) => ({ kv: kvs, tensors: [{ name: `blk.${no}.ffn_fixture.weight`, shape: [n], type: "F32" }] });
  const { dataOffset } = layoutGguf(tensor(8));
  // 8 F32s are 32 bytes, the alignment: the tensor ends where the file does
  const n = Math.floor((size - dataOffset) / 32) * 8;
  if (n <= 0) throw new Error(`a GGUF fixture needs more than ${dataOffset} bytes`);
  return Buffer.from(layoutGguf(tensor(n)).header);
}

/** A valid GGUF of `size` bytes whose tensor data is random. */
export function ggufBytes(size: number, shape: GgufShape = {}): Buffer {
  const out = randomBytes(size);
  ggufPrefix(size, shape).copy(out, 0);
  return out;
}

export function sha256Of(content: Content): string {
  const hash = createHash("sha256");
  const step = 8 * 1024 * 1024;
  for (let at = 0; at < content.size; at += step) hash.update(content.read(at, Math.min(content.size, at + step)));
  return hash.digest("hex");
}
