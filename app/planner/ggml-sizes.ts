/**
 * Storage sizes of the ggml types a GGUF may use: elements per block and bytes
 * per block (ggml/src/ggml.c type_traits). Kept here because app/ may not
 * import node/gguf.
 */

import { AppError } from "../contract/errors";

const QK_K = 256;

const sizes: Readonly<Record<string, readonly [blockSize: number, typeSize: number]>> = {
  F32: [1, 4],
  F16: [1, 2],
  BF16: [1, 2],
  Q4_0: [32, 18],
  Q4_1: [32, 20],
  Q5_0: [32, 22],
  Q5_1: [32, 24],
  Q8_0: [32, 34],
  Q2_K: [QK_K, 84],
  Q3_K: [QK_K, 110],
  Q4_K: [QK_K, 144],
  Q5_K: [QK_K, 176],
  Q6_K: [QK_K, 210],
  IQ1_S: [QK_K, 50],
  IQ1_M: [QK_K, 56],
  IQ2_XXS: [QK_K, 66],
  IQ2_XS: [QK_K, 74],
  IQ2_S: [QK_K, 82],
  IQ3_XXS: [QK_K, 98],
  IQ3_S: [QK_K, 110],
  IQ4_NL: [32, 18],
  IQ4_XS: [QK_K, 136],
  MXFP4: [32, 17],
};

export function isKnownGgmlType(type: string): boolean {
  return type in sizes;
}

/** Bits per weight, e.g. 4.5 for Q4_K. */
export function bitsPerWeight(type: string): number {
  const s = sizes[type];
  if (!s) throw new AppError("bad_request", `unknown ggml type ${type}`);
  return (s[1] * 8) / s[0];
}

/** Bytes of a tensor of `elements` values stored as `type` (whole blocks). */
export function tensorBytes(type: string, elements: number): number {
  const s = sizes[type];
  if (!s) throw new AppError("bad_request", `unknown ggml type ${type}`);
  return Math.ceil(elements / s[0]) * s[1];
}
