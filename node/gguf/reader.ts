import { closeSync } from "node:fs";
import { EndOfFile, FileCursor } from "./file-cursor";
import { ggmlType, tensorByteSize, type GgmlTypeInfo } from "./ggml-types";
import {
  alignUp,
  GGUF_ARRAY_TYPE_ID,
  GGUF_DEFAULT_ALIGNMENT,
  scalarTypeFromId,
  scalarTypeSizes,
  type GgufMetadata,
  type GgufScalarType,
  type GgufValue,
} from "./gguf-values";
import { DecodeBudget, HEADER_BUDGET_BYTES, OverBudget } from "./decode-budget";
import { modelInvalid } from "./model-invalid";
import { openRegularFile } from "./regular-file";

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: shape[0] is the row length. */
  readonly shape: readonly number[];
  readonly type: GgmlTypeInfo;
  /** Relative to the data section. */
  readonly offset: number;
  readonly byteSize: number;
  readonly elements: number;
}

export interface GgufHeader {
  readonly path: string;
  readonly fileSize: number;
  readonly version: number;
  readonly alignment: number;
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensorInfo[];
  /** Absolute file offset of the tensor data section. */
  readonly dataOffset: number;
  /** End of the last tensor's bytes (unpadded), i.e. the size the file needs. */
  readonly dataEnd: number;
}

// Limits mirror gguf.cpp where it has them; the counts are sanity bounds, far above real models.
// Memory is bounded separately, by the decode budget.
const MAX_STRING = 1 << 30;
const MAX_KV = 1 << 20;
const MAX_TENSORS = 1 << 22;
const MAX_NAME_BYTES = 63;
const SUPPORTED_VERSIONS = new Set([2, 3]);

/** A bad value inside the header: the file is long enough but its content is wrong. */
class Corrupt extends Error {
  constructor(message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** The cursor plus the memory the decoded header may still take. */
interface Reader {
  readonly c: FileCursor;
  readonly budget: DecodeBudget;
}

function readString({ c, budget }: Reader, what: string, onInvalidUtf8?: (latin1: string) => void): string {
  const len = c.u64();
  // longer than the whole file can only be garbage; longer than what is left may be a cut file
  if (len > BigInt(MAX_STRING) || len > BigInt(c.size)) throw new Corrupt(`${what}: string length ${len} exceeds the file`);
  budget.charge(Number(len), what);
  if (!onInvalidUtf8) return c.utf8(Number(len));
  const bytes = c.bytes(Number(len));
  const text = bytes.toString("utf8");
  // U+FFFD is either in the bytes or a lossy decode; only the round trip tells which
  if (text.includes("\uFFFD") && !Buffer.from(text).equals(bytes)) onInvalidUtf8(bytes.toString("latin1"));
  return text;
}

function readScalar(r: Reader, type: GgufScalarType): number | bigint | boolean | string {
  const c = r.c;
  switch (type) {
    case "u8": return c.u8();
    case "i8": return c.i8();
    case "u16": return c.u16();
    case "i16": return c.i16();
    case "u32": return c.u32();
    case "i32": return c.i32();
    case "f32": return c.f32();
    case "f64": return c.f64();
    case "u64": return c.u64();
    case "i64": return c.i64();
    case "bool": return c.u8() !== 0;
    case "str": return readString(r, "string value");
  }
}

function readValue(r: Reader, key: string): GgufValue {
  const c = r.c;
  const typeId = c.u32();
  if (typeId === GGUF_ARRAY_TYPE_ID) {
    const itemId = c.u32();
    const itemType = scalarTypeFromId(itemId);
    if (!itemType) throw new Corrupt(`key ${key}: invalid array item type ${itemId}`, { key });
    const n = c.u64();
    // bounded by the bytes left (a string takes at least its 8-byte length) before anything is allocated
    const minItem = itemType === "str" ? 8 : scalarTypeSizes[itemType];
    if (n * BigInt(minItem) > BigInt(c.remaining)) {
      throw new Corrupt(`key ${key}: array of ${n} items cannot fit in the ${c.remaining} bytes left in the file`, { key });
    }
    r.budget.chargeItems(Number(n), itemType, `key ${key}`);
    const values: (number | bigint | boolean | string)[] = new Array<number | bigint | boolean | string>(Number(n));
    if (itemType !== "str") {
      for (let i = 0; i < values.length; i++) values[i] = readScalar(r, itemType);
      return { type: "array", itemType, values } as GgufValue;
    }
    // llama.cpp compares token texts as bytes: keep the bytes of those a lossy decode would merge
    const rawBytes = new Map<number, string>();
    for (let i = 0; i < values.length; i++) values[i] = readString(r, "string value", (latin1) => rawBytes.set(i, latin1));
    return { type: "array", itemType, values, ...(rawBytes.size > 0 && { rawBytes }) } as GgufValue;
  }
  const type = scalarTypeFromId(typeId);
  if (!type) throw new Corrupt(`key ${key}: invalid value type ${typeId}`, { key });
  r.budget.chargeItems(1, type, `key ${key}`);
  return { type, value: readScalar(r, type) } as GgufValue;
}

function readMetadata(r: Reader, count: number): Map<string, GgufValue> {
  const meta = new Map<string, GgufValue>();
  for (let i = 0; i < count; i++) {
    const key = readString(r, `key ${i}`);
    if (key.length === 0) throw new Corrupt(`key ${i} is empty`);
    if (meta.has(key)) throw new Corrupt(`duplicate key ${key}`, { key });
    meta.set(key, readValue(r, key));
  }
  return meta;
}

function readAlignment(meta: GgufMetadata): number {
  const v = meta.get("general.alignment");
  if (!v) return GGUF_DEFAULT_ALIGNMENT;
  if (v.type !== "u32" || v.value === 0 || (v.value & (v.value - 1)) !== 0) {
    throw new Corrupt("general.alignment must be a u32 power of two", { key: "general.alignment" });
  }
  return v.value;
}

function readTensorInfos(r: Reader, count: number, alignment: number): GgufTensorInfo[] {
  const c = r.c;
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  let expectedOffset = 0;
  for (let i = 0; i < count; i++) {
    r.budget.chargeTensor(`tensor ${i}`);
    const name = readString(r, `tensor ${i} name`);
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new Corrupt(`tensor ${i} name is longer than ${MAX_NAME_BYTES} bytes`);
    if (names.has(name)) throw new Corrupt(`duplicate tensor ${name}`, { tensor: name });
    names.add(name);
    const nDims = c.u32();
    if (nDims > 4) throw new Corrupt(`tensor ${name} has ${nDims} dimensions`, { tensor: name });
    const shape: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const ne = c.u64();
      // JS numbers are exact to 2^53: no real tensor comes near it
      if (ne > BigInt(Number.MAX_SAFE_INTEGER)) throw new Corrupt(`tensor ${name} dimension ${d} is ${ne}`, { tensor: name });
      shape.push(Number(ne));
      elements *= Number(ne);
      if (elements > Number.MAX_SAFE_INTEGER) throw new Corrupt(`tensor ${name} has too many elements`, { tensor: name });
    }
    const typeId = c.u32();
    const type = ggmlType(typeId);
    if (!type) throw new Corrupt(`tensor ${name} has invalid ggml type ${typeId}`, { tensor: name });
    if ((shape[0] ?? 1) % type.blockSize !== 0) {
      throw new Corrupt(`tensor ${name}: row of ${shape[0]} is not a multiple of the ${type.name} block size`, { tensor: name });
    }
    const offset = c.u64();
    // gguf.cpp requires tensors packed in order, each padded to the alignment
    if (offset !== BigInt(expectedOffset)) {
      throw new Corrupt(`tensor ${name} has data offset ${offset}, expected ${expectedOffset}`, { tensor: name });
    }
    const byteSize = tensorByteSize(type, shape.length ? shape : [1]);
    tensors.push({ name, shape, type, offset: expectedOffset, byteSize, elements });
    expectedOffset += alignUp(byteSize, alignment);
  }
  return tensors;
}

function parse(path: string, c: FileCursor): GgufHeader {
  if (c.size < 4 || c.utf8(4) !== "GGUF") throw modelInvalid(path, "not_gguf", `${path} is not a GGUF file`);
  const version = c.u32();
  if (!SUPPORTED_VERSIONS.has(version)) {
    throw modelInvalid(path, "unsupported_version", `GGUF version ${version} is not supported (2 or 3)`, { version });
  }
  const nTensors = c.u64();
  const nKv = c.u64();
  if (nTensors > BigInt(MAX_TENSORS)) throw new Corrupt(`tensor count ${nTensors} is absurd`);
  if (nKv > BigInt(MAX_KV)) throw new Corrupt(`key/value count ${nKv} is absurd`);
  const r: Reader = { c, budget: new DecodeBudget(HEADER_BUDGET_BYTES) };
  const metadata = readMetadata(r, Number(nKv));
  const alignment = readAlignment(metadata);
  const tensors = readTensorInfos(r, Number(nTensors), alignment);
  const dataOffset = alignUp(c.pos, alignment);
  let dataEnd = dataOffset;
  for (const t of tensors) dataEnd = Math.max(dataEnd, dataOffset + t.offset + t.byteSize);
  if (dataEnd > c.size) {
    throw modelInvalid(path, "truncated", `${path} is truncated: tensor data needs ${dataEnd} bytes, the file has ${c.size}`, {
      expectedSize: dataEnd,
      actualSize: c.size,
    });
  }
  return { path, fileSize: c.size, version, alignment, metadata, tensors, dataOffset, dataEnd };
}

/**
 * Reads and checks a GGUF header the way gguf.cpp will, so a bad file is
 * refused with a typed reason before llama.cpp sees it. Throws
 * AppError("model_invalid", …, {path, reason}) or AppError("not_found").
 */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const { fd, size } = openRegularFile(path);
  try {
    const c = new FileCursor(fd, size);
    try {
      return parse(path, c);
    } catch (error) {
      if (error instanceof EndOfFile) {
        throw modelInvalid(path, "truncated", `${path} ends inside its header (${c.size} bytes)`, { actualSize: c.size });
      }
      if (error instanceof Corrupt) throw modelInvalid(path, "corrupt", `${path} is corrupt: ${error.message}`, error.extra);
      if (error instanceof OverBudget) {
        throw modelInvalid(path, "header_too_large", `${path}: ${error.message}; no real model's header comes near it`, { limitBytes: error.limit });
      }
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}
