import type { GgufScalarType } from "./gguf-values";

/**
 * Heap the decoded header of one file may take. MiniMax-M2's (200k tokens,
 * their merges and types) takes about 20 MiB, the largest vocabularies about
 * twice that; a sparse file that claims 2^29 empty strings would take 16 GiB
 * and end the process with a V8 heap abort. The validator's own passes over
 * the vocabulary take a small multiple of this again.
 */
export const HEADER_BUDGET_BYTES = 128 * 1024 * 1024;

// Rough V8 costs: a heap number or pointer slot, a BigInt, a string's header, a tensor info object.
const SLOT = 8;
const BIGINT = 24;
const STRING_OBJECT = 32;
const TENSOR_INFO = 256;

export class OverBudget extends Error {
  constructor(readonly limit: number, what: string) {
    super(`decoding its header needs more than ${limit / (1024 * 1024)} MiB (at ${what})`);
  }
}

/** Charged before each allocation, so an absurd count is refused before the array exists. */
export class DecodeBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  charge(bytes: number, what: string): void {
    this.used += bytes;
    if (this.used > this.limit) throw new OverBudget(this.limit, what);
  }

  chargeItems(count: number, type: GgufScalarType, what: string): void {
    const each = type === "str" ? STRING_OBJECT : type === "u64" || type === "i64" ? BIGINT : SLOT;
    this.charge(count * each, what);
  }

  chargeTensor(what: string): void {
    this.charge(TENSOR_INFO, what);
  }
}
