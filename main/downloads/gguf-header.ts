import type { FileHandle } from "node:fs/promises";

/** What llama.cpp accepts: the "GGUF" magic and format version 2 or 3. */
export function checkGgufHeader(bytes: Uint8Array): { ok: true; version: number } | { ok: false; why: string } {
  if (bytes.length < 8) return { ok: false, why: "file shorter than a GGUF header" };
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0, bytes[3] ?? 0);
  if (magic !== "GGUF") return { ok: false, why: `bad magic ${JSON.stringify(magic)}` };
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (version !== 2 && version !== 3) return { ok: false, why: `unsupported GGUF version ${version}` };
  return { ok: true, version };
}

export async function readGgufHeader(fh: FileHandle): Promise<ReturnType<typeof checkGgufHeader>> {
  const buffer = Buffer.alloc(8);
  const { bytesRead } = await fh.read(buffer, 0, 8, 0);
  return checkGgufHeader(buffer.subarray(0, bytesRead));
}
