/** GGUF key/value model shared by the reader and the writer (gguf.h `gguf_type`). */

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;

export type GgufNumberType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufBigIntType = "u64" | "i64";
export type GgufScalarType = GgufNumberType | GgufBigIntType | "bool" | "str";

export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number }
  | { readonly type: GgufBigIntType; readonly value: bigint }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "str"; readonly value: string }
  | { readonly type: "array"; readonly itemType: GgufNumberType; readonly values: readonly number[] }
  | { readonly type: "array"; readonly itemType: GgufBigIntType; readonly values: readonly bigint[] }
  | { readonly type: "array"; readonly itemType: "bool"; readonly values: readonly boolean[] }
  | {
      readonly type: "array";
      readonly itemType: "str";
      readonly values: readonly string[];
      /**
       * Set by the reader for items whose bytes are not valid UTF-8 (their `values` entry holds
       * U+FFFD, so two different ones read alike): index → the exact bytes, one char per byte (latin1).
       */
      readonly rawBytes?: ReadonlyMap<number, string>;
    };

export interface GgufKv {
  readonly key: string;
  readonly value: GgufValue;
}

/** Wire ids and fixed sizes (0 = variable, i.e. strings). */
export const scalarTypeIds: Readonly<Record<GgufScalarType, number>> = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, str: 8, u64: 10, i64: 11, f64: 12,
};
export const GGUF_ARRAY_TYPE_ID = 9;

export const scalarTypeSizes: Readonly<Record<GgufScalarType, number>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, str: 0, u64: 8, i64: 8, f64: 8,
};

const idToType = new Map<number, GgufScalarType>(
  Object.entries(scalarTypeIds).map(([name, id]) => [id, name as GgufScalarType]),
);

export function scalarTypeFromId(id: number): GgufScalarType | undefined {
  return idToType.get(id);
}

/** Terse constructors so metadata reads like a table. */
export const kv = {
  u8: (key: string, value: number): GgufKv => ({ key, value: { type: "u8", value } }),
  u16: (key: string, value: number): GgufKv => ({ key, value: { type: "u16", value } }),
  u32: (key: string, value: number): GgufKv => ({ key, value: { type: "u32", value } }),
  i32: (key: string, value: number): GgufKv => ({ key, value: { type: "i32", value } }),
  u64: (key: string, value: bigint): GgufKv => ({ key, value: { type: "u64", value } }),
  f32: (key: string, value: number): GgufKv => ({ key, value: { type: "f32", value } }),
  f64: (key: string, value: number): GgufKv => ({ key, value: { type: "f64", value } }),
  bool: (key: string, value: boolean): GgufKv => ({ key, value: { type: "bool", value } }),
  str: (key: string, value: string): GgufKv => ({ key, value: { type: "str", value } }),
  strArr: (key: string, values: readonly string[]): GgufKv => ({ key, value: { type: "array", itemType: "str", values } }),
  i32Arr: (key: string, values: readonly number[]): GgufKv => ({ key, value: { type: "array", itemType: "i32", values } }),
  u32Arr: (key: string, values: readonly number[]): GgufKv => ({ key, value: { type: "array", itemType: "u32", values } }),
  f32Arr: (key: string, values: readonly number[]): GgufKv => ({ key, value: { type: "array", itemType: "f32", values } }),
};

export type GgufMetadata = ReadonlyMap<string, GgufValue>;

/** A scalar number (any integer or float type), or undefined when absent or not numeric. */
export function metaNumber(meta: GgufMetadata, key: string): number | undefined {
  const v = meta.get(key);
  if (!v || v.type === "array" || v.type === "str" || v.type === "bool") return undefined;
  return typeof v.value === "bigint" ? Number(v.value) : v.value;
}

export function metaString(meta: GgufMetadata, key: string): string | undefined {
  const v = meta.get(key);
  return v?.type === "str" ? v.value : undefined;
}

export function metaArrayLength(meta: GgufMetadata, key: string): number | undefined {
  const v = meta.get(key);
  return v?.type === "array" ? v.values.length : undefined;
}

/** Per-layer keys (e.g. head_count) may be arrays; report the first layer's value. */
export function metaNumberOrFirst(meta: GgufMetadata, key: string): number | undefined {
  const v = meta.get(key);
  if (v?.type === "array" && v.itemType !== "str" && v.itemType !== "bool") {
    const first = v.values[0];
    return first === undefined ? undefined : Number(first);
  }
  return metaNumber(meta, key);
}
