import { kv, type GgufKv } from "./gguf-values";
import { writeGguf, type GgufFileInput, type GgufWriteOptions } from "./writer";

/** llama.cpp's split naming: `<prefix>-00001-of-00003.gguf` (llama_split_path). */
const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

export const SPLIT_KEYS = { no: "split.no", count: "split.count", tensorsCount: "split.tensors.count" } as const;

export interface SplitName {
  readonly prefix: string;
  /** 1-based, as in the file name. */
  readonly index: number;
  readonly count: number;
}

export function parseSplitName(path: string): SplitName | undefined {
  const m = SPLIT_NAME.exec(path);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { prefix: m[1], index: Number(m[2]), count: Number(m[3]) };
}

export function splitPartPath(prefix: string, index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, "0");
  return `${prefix}-${pad(index)}-of-${pad(count)}.gguf`;
}

/**
 * Writes `input` as `parts` files the way gguf-split does: all metadata in
 * the first part, split.* keys in every part, tensors in order, none empty.
 */
export async function writeGgufSplit(
  prefix: string,
  input: GgufFileInput,
  parts: number,
  options: GgufWriteOptions = {},
): Promise<string[]> {
  const n = input.tensors.length;
  if (parts < 1 || parts > n) throw new Error(`cannot split ${n} tensors into ${parts} parts`);
  const perPart = Math.ceil(n / parts);
  const paths: string[] = [];
  for (let i = 0; i < parts; i++) {
    const splitKv: GgufKv[] = [
      kv.u16(SPLIT_KEYS.no, i),
      kv.u16(SPLIT_KEYS.count, parts),
      kv.i32(SPLIT_KEYS.tensorsCount, n),
    ];
    const tensors = input.tensors.slice(i * perPart, Math.min(n, (i + 1) * perPart));
    if (tensors.length === 0) throw new Error(`part ${i + 1} of ${parts} would be empty`);
    const path = splitPartPath(prefix, i + 1, parts);
    await writeGguf(path, { kv: i === 0 ? [...input.kv, ...splitKv] : splitKv, tensors }, options);
    paths.push(path);
  }
  return paths;
}
