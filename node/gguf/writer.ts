import { open, type FileHandle } from "node:fs/promises";
import { ByteBuilder } from "./byte-builder";
import { ggmlTypeByName, tensorByteSize } from "./ggml-types";
import {
  alignUp,
  GGUF_ARRAY_TYPE_ID,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  kv,
  scalarTypeIds,
  type GgufKv,
  type GgufScalarType,
} from "./gguf-values";

/** Tensor bytes in ggml layout, yielded in order (rows, blocks, whole tensor: any chunking). */
export type TensorData = () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface GgufTensorInput {
  readonly name: string;
  /** ggml order: shape[0] is the contiguous row length (ne[0]). */
  readonly shape: readonly number[];
  /** ggml type name, e.g. "F32", "Q8_0", "Q4_K". */
  readonly type: string;
  /** "zeros" leaves a hole (reads as zeros in every type here); omit only when writing sparse files. */
  readonly data?: TensorData | "zeros";
}

export interface GgufFileInput {
  readonly kv: readonly GgufKv[];
  readonly tensors: readonly GgufTensorInput[];
}

export interface GgufWriteOptions {
  /** Defaults to 32; written as general.alignment. */
  readonly alignment?: number;
  /** Defaults to 3. Other values exist to produce invalid files in tests. */
  readonly version?: number;
  /** Write the header only and extend the file sparsely (ftruncate) to its full size. */
  readonly sparse?: boolean;
}

export interface GgufTensorLayout {
  readonly name: string;
  /** Relative to the data section, as stored in the tensor info. */
  readonly offset: number;
  readonly byteSize: number;
}

export interface GgufLayout {
  readonly header: Uint8Array;
  readonly alignment: number;
  /** Where the tensor infos start (the end of the key/values). */
  readonly tensorInfoOffset: number;
  readonly dataOffset: number;
  readonly fileSize: number;
  readonly tensors: readonly GgufTensorLayout[];
}

const MAX_NAME_BYTES = 63; // GGML_MAX_NAME - 1

function writeScalar(b: ByteBuilder, type: GgufScalarType, v: number | bigint | boolean | string): void {
  switch (type) {
    case "u8": return b.u8(v as number);
    case "i8": return b.i8(v as number);
    case "u16": return b.u16(v as number);
    case "i16": return b.i16(v as number);
    case "u32": return b.u32(v as number);
    case "i32": return b.i32(v as number);
    case "f32": return b.f32(v as number);
    case "f64": return b.f64(v as number);
    case "u64": return b.u64(v as bigint);
    case "i64": return b.i64(v as bigint);
    case "bool": return b.u8(v ? 1 : 0);
    case "str": return b.str(v as string);
  }
}

function writeKv(b: ByteBuilder, { key, value }: GgufKv): void {
  b.str(key);
  if (value.type === "array") {
    b.u32(GGUF_ARRAY_TYPE_ID);
    b.u32(scalarTypeIds[value.itemType]);
    b.u64(value.values.length);
    for (const v of value.values) writeScalar(b, value.itemType, v);
  } else {
    b.u32(scalarTypeIds[value.type]);
    writeScalar(b, value.type, value.value);
  }
}

/** Serializes the header and computes where every tensor's data goes; holds no tensor data. */
export function layoutGguf(input: GgufFileInput, options: GgufWriteOptions = {}): GgufLayout {
  const given = input.kv.find((e) => e.key === "general.alignment")?.value;
  const alignment = given?.type === "u32" ? given.value : (options.alignment ?? GGUF_DEFAULT_ALIGNMENT);
  const kvs = given ? input.kv : [...input.kv, kv.u32("general.alignment", alignment)];

  const b = new ByteBuilder();
  b.bytes(new TextEncoder().encode(GGUF_MAGIC));
  b.u32(options.version ?? GGUF_VERSION);
  b.u64(input.tensors.length);
  b.u64(kvs.length);
  for (const entry of kvs) writeKv(b, entry);
  const tensorInfoOffset = b.length;

  const names = new Set<string>();
  const tensors: GgufTensorLayout[] = [];
  let offset = 0;
  for (const t of input.tensors) {
    const type = ggmlTypeByName(t.type);
    if (new TextEncoder().encode(t.name).length > MAX_NAME_BYTES) throw new Error(`tensor name too long: ${t.name}`);
    if (names.has(t.name)) throw new Error(`duplicate tensor ${t.name}`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > 4) throw new Error(`${t.name}: 1 to 4 dimensions, got ${t.shape.length}`);
    if ((t.shape[0] ?? 0) % type.blockSize !== 0) throw new Error(`${t.name}: row of ${t.shape[0]} is not a multiple of ${type.name} blocks`);
    const byteSize = tensorByteSize(type, t.shape);
    b.str(t.name);
    b.u32(t.shape.length);
    for (const d of t.shape) b.u64(d);
    b.u32(type.id);
    b.u64(offset);
    tensors.push({ name: t.name, offset, byteSize });
    offset += alignUp(byteSize, alignment);
  }
  const dataOffset = alignUp(b.length, alignment);
  b.zeros(dataOffset - b.length);
  return { header: b.finish(), alignment, tensorInfoOffset, dataOffset, fileSize: dataOffset + offset, tensors };
}

async function writeTensorData(file: FileHandle, name: string, data: TensorData, position: number, byteSize: number): Promise<void> {
  let written = 0;
  for await (const chunk of data()) {
    if (written + chunk.length > byteSize) throw new Error(`${name}: more than ${byteSize} bytes of data`);
    await file.write(chunk, 0, chunk.length, position + written);
    written += chunk.length;
  }
  if (written !== byteSize) throw new Error(`${name}: ${written} bytes of data, expected ${byteSize}`);
}

/**
 * Writes a GGUF file tensor by tensor so no more than one data chunk is in
 * memory; with `sparse` it writes the header and only extends the file.
 */
export async function writeGguf(path: string, input: GgufFileInput, options: GgufWriteOptions = {}): Promise<GgufLayout> {
  const layout = layoutGguf(input, options);
  const file = await open(path, "w");
  try {
    await file.write(layout.header);
    if (options.sparse) {
      await file.truncate(layout.fileSize);
      return layout;
    }
    for (const [i, t] of input.tensors.entries()) {
      const slot = layout.tensors[i];
      if (!slot) throw new Error("layout mismatch");
      if (!t.data) throw new Error(`${t.name}: no data (only sparse files may omit it)`);
      if (t.data !== "zeros") await writeTensorData(file, t.name, t.data, layout.dataOffset + slot.offset, slot.byteSize);
    }
    // padding after the last tensor is part of the file, as gguf_write emits it
    await file.truncate(layout.fileSize);
    return layout;
  } finally {
    await file.close();
  }
}
