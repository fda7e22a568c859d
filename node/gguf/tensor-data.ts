import { encodeTensor, Q8_0_BLOCK, Q8_0_BLOCK_BYTES, toHalf, type EncodableType } from "./encode";
import type { TensorData } from "./writer";

const CHUNK_BYTES = 1 << 20;

/** Row by row from a fill callback, encoded and batched into ~1 MiB chunks. */
export function fromRows(
  type: EncodableType,
  rowLength: number,
  rows: number,
  fill: (row: number, out: Float32Array) => void,
): TensorData {
  return function* () {
    const bytesPerValue = type === "F32" ? 4 : type === "F16" ? 2 : Q8_0_BLOCK_BYTES / Q8_0_BLOCK;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / (rowLength * bytesPerValue)));
    for (let start = 0; start < rows; start += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, rows - start);
      const values = new Float32Array(n * rowLength);
      for (let r = 0; r < n; r++) fill(start + r, values.subarray(r * rowLength, (r + 1) * rowLength));
      yield encodeTensor(type, values);
    }
  };
}

export function filled(type: EncodableType, count: number, value: number): TensorData {
  return fromRows(type, count, 1, (_, out) => out.fill(value));
}

/** xorshift32: a fixed seed gives the same weights on every machine. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const POOL_BLOCKS = 1 << 15;
const SEGMENT_BYTES = 1 << 16;

/** ~1.1 MB of random Q8_0 blocks with scale `d`; -128 is outside Q8_0's ±127, so it is folded. */
function blockPool(next: () => number, d: number): Uint8Array {
  const pool = new Uint8Array(POOL_BLOCKS * Q8_0_BLOCK_BYTES);
  for (let o = 0; o < pool.length; o += Q8_0_BLOCK_BYTES) {
    pool[o] = d & 0xff;
    pool[o + 1] = d >>> 8;
    for (let j = 0; j < Q8_0_BLOCK; j += 4) {
      const bits = next();
      for (let k = 0; k < 4; k++) {
        const q = (bits >>> (k * 8)) & 0xff;
        pool[o + 2 + j + k] = q === 0x80 ? 0x81 : q;
      }
    }
  }
  return pool;
}

/**
 * Random Q8_0 rows written straight as blocks: scale `amplitude`/127 and
 * uniform int8 quants, so values spread over ±amplitude. Chunks are copied
 * from a random block pool at random offsets, which keeps generating a
 * 0.5 GB benchmark model to memcpy speed; rows in `zeroRows` are all zero.
 */
export function randomQ8_0(rowLength: number, rows: number, seed: number, amplitude: number, zeroRows: ReadonlySet<number> = new Set()): TensorData {
  return function* () {
    const next = prng(seed);
    const pool = blockPool(next, toHalf(amplitude / 127));
    const rowBytes = (rowLength / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    for (let start = 0; start < rows; start += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, rows - start);
      const out = new Uint8Array(n * rowBytes);
      for (let filledTo = 0; filledTo < out.length; ) {
        const from = (next() % POOL_BLOCKS) * Q8_0_BLOCK_BYTES;
        const len = Math.min(SEGMENT_BYTES, pool.length - from, out.length - filledTo);
        out.set(pool.subarray(from, from + len), filledTo);
        filledTo += len;
      }
      for (let r = 0; r < n; r++) if (zeroRows.has(start + r)) out.fill(0, r * rowBytes, (r + 1) * rowBytes);
      yield out;
    }
  };
}
