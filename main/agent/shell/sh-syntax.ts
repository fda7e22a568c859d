import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import "sh-syntax"; // installs the Go runtime shim (globalThis.Go) that main.wasm needs
import { LangVariant } from "sh-syntax";

/**
 * sh-syntax (mvdan/sh in WASM) is the reference parser. Its own entry point boots a fresh Go
 * runtime per call (~100 ms); we keep one instance and call its exported `process` directly
 * (< 1 ms), mirroring sh-syntax 0.7.0's lib/processor.js. Its JS AST keeps statements and
 * redirections only.
 */

export class Unparseable extends Error {}

export interface RefPos {
  Offset: number;
}
export interface RefWord {
  Pos: RefPos;
  End: RefPos;
  Lit: string;
}
export interface RefRedirect {
  Op: string;
  OpPos: RefPos;
  Word: RefWord | null;
}
export interface RefStmt {
  Pos: RefPos;
  End: RefPos;
  Background: boolean;
  Redirs: RefRedirect[];
}
export interface RefFile {
  Stmts: RefStmt[];
}

// The slice of the WebAssembly API used here, typed locally: main/ compiles without the DOM lib, where
// TypeScript keeps WebAssembly's types (Node has the API itself).
interface WasmInstance {
  exports: unknown;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface GoRuntime {
  importObject: object;
  run(instance: WasmInstance): Promise<void>;
}

interface Exports {
  memory: { buffer: ArrayBuffer };
  wasmAlloc(size: number): number;
  wasmFree(pointer: number): void;
  process(...args: (number | boolean)[]): number;
}

let exports: Exports | undefined;

function instance(): Exports {
  if (exports) return exports;
  const Go = (globalThis as unknown as { Go: new () => GoRuntime }).Go;
  const bytes = readFileSync(createRequire(import.meta.url).resolve("sh-syntax/main.wasm"));
  const go = new Go();
  const wasm = new wasmApi.Instance(new wasmApi.Module(bytes), go.importObject);
  void go.run(wasm);
  exports = wasm.exports as unknown as Exports;
  return exports;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function copyIn(wasm: Exports, bytes: Uint8Array): number {
  const pointer = wasm.wasmAlloc(bytes.byteLength);
  new Uint8Array(wasm.memory.buffer).set(bytes, pointer);
  return pointer;
}

/** Parses `text` as bash. Synchronous: the Go side runs to completion within the call. */
export function parseBash(text: string): RefFile {
  let raw: string;
  try {
    raw = callProcess(text);
  } catch (error) {
    exports = undefined; // a trapped instance is not reused
    throw error;
  }
  if (!raw.startsWith('{"') || !raw.endsWith("}")) throw new Unparseable(raw || "the parser returned nothing");
  const result = JSON.parse(raw) as { file?: RefFile; parseError?: { Text?: string } | null; message?: string };
  if (result.parseError || result.message) throw new Unparseable(result.parseError?.Text ?? result.message ?? "parse error");
  if (!result.file || !Array.isArray(result.file.Stmts)) throw new Unparseable("the parser returned no statements");
  return result.file;
}

function callProcess(text: string): string {
  const wasm = instance();
  const empty = new Uint8Array(0);
  const source = encoder.encode(text);
  const filePath = copyIn(wasm, empty);
  const textPointer = copyIn(wasm, source);
  const stopAt = copyIn(wasm, empty);
  // Argument order of sh-syntax 0.7.0's `process`: file path, text, print, keepComments, variant,
  // stopAt, recoverErrors, then printer options (unused when not printing).
  const resultPointer = wasm.process(
    filePath, 0, 0, textPointer, source.byteLength, source.byteLength, false, false, LangVariant.LangBash,
    stopAt, 0, 0, 0, false, 2, true, true, true, false, false, false, false,
  );
  wasm.wasmFree(filePath);
  wasm.wasmFree(textPointer);
  wasm.wasmFree(stopAt);
  const result = new Uint8Array(wasm.memory.buffer).subarray(resultPointer);
  const end = result.indexOf(0);
  return decoder.decode(result.subarray(0, end < 0 ? 0 : end));
}
