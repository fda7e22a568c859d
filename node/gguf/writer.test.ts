import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTensor } from "./encode";
import { kv } from "./gguf-values";
import { readGgufHeader } from "./reader";
import { fromRows } from "./tensor-data";
import { writeGguf, type GgufFileInput } from "./writer";

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "gguf-writer-")); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const values = Float32Array.from({ length: 96 }, (_, i) => (i - 48) / 8);

const input: GgufFileInput = {
  kv: [
    kv.str("general.architecture", "llama"),
    kv.u8("test.u8", 200),
    { key: "test.i8", value: { type: "i8", value: -5 } },
    kv.u16("test.u16", 60000),
    { key: "test.i16", value: { type: "i16", value: -30000 } },
    kv.u32("test.u32", 4_000_000_000),
    kv.i32("test.i32", -2_000_000_000),
    kv.u64("test.u64", 2n ** 40n),
    { key: "test.i64", value: { type: "i64", value: -(2n ** 40n) } },
    kv.f32("test.f32", 0.5),
    kv.f64("test.f64", Math.PI),
    kv.bool("test.bool", true),
    kv.str("test.str", "héllo ✓"),
    kv.strArr("test.strs", ["a", "", "ü"]),
    kv.i32Arr("test.ints", [1, -2, 3]),
    kv.f32Arr("test.floats", [0.25, -1]),
    kv.strArr("test.empty", []),
  ],
  tensors: [
    { name: "a.f32", shape: [3], type: "F32", data: () => [encodeTensor("F32", new Float32Array([1, 2, 3]))] },
    { name: "b.f16", shape: [32, 3], type: "F16", data: fromRows("F16", 32, 3, (r, out) => out.set(values.subarray(r * 32, r * 32 + 32))) },
    { name: "c.q8", shape: [32, 3], type: "Q8_0", data: () => [encodeTensor("Q8_0", values)] },
    { name: "d.zero", shape: [64], type: "F32", data: "zeros" },
  ],
};

describe("writeGguf", () => {
  it("round-trips every value type and places tensors 32-byte aligned", async () => {
    const path = join(dir, "roundtrip.gguf");
    const layout = await writeGguf(path, input);
    const header = await readGgufHeader(path);
    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    expect(header.dataOffset).toBe(layout.dataOffset);
    expect(header.dataOffset % 32).toBe(0);
    for (const entry of input.kv) expect(header.metadata.get(entry.key)).toEqual(entry.value);
    expect(header.metadata.get("general.alignment")).toEqual({ type: "u32", value: 32 });
    expect(header.tensors.map((t) => [t.name, t.type.name, t.shape, t.byteSize, t.offset])).toEqual([
      ["a.f32", "F32", [3], 12, 0],
      ["b.f16", "F16", [32, 3], 192, 32],
      ["c.q8", "Q8_0", [32, 3], 102, 224],
      ["d.zero", "F32", [64], 256, 352],
    ]);
    expect((await stat(path)).size).toBe(header.dataOffset + 352 + 256);

    const bytes = await readFile(path);
    const at = (name: string) => header.dataOffset + (header.tensors.find((t) => t.name === name)?.offset ?? -1);
    expect(bytes.subarray(at("c.q8"), at("c.q8") + 102)).toEqual(Buffer.from(encodeTensor("Q8_0", values)));
    expect(bytes.readFloatLE(at("a.f32") + 8)).toBe(3);
  });

  it("is readable by node-llama-cpp's own GGUF parser", async () => {
    const path = join(dir, "nlc.gguf");
    await writeGguf(path, input);
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.tensorInfo?.map((t) => t.name)).toEqual(["a.f32", "b.f16", "c.q8", "d.zero"]);
    expect((info.metadata as unknown as { test: { str: string } }).test.str).toBe("héllo ✓");
  });

  it("sparse mode writes only the header and extends the file", async () => {
    const path = join(dir, "sparse.gguf");
    const big = { kv: input.kv, tensors: [{ name: "huge", shape: [4096, 4096, 64], type: "Q8_0" }] };
    const layout = await writeGguf(path, big, { sparse: true });
    const st = await stat(path);
    expect(st.size).toBe(layout.fileSize);
    expect(st.size).toBeGreaterThan(1e9);
    expect(st.blocks * 512).toBeLessThan(1 << 20);
    expect((await readGgufHeader(path)).tensors[0]?.byteSize).toBe((4096 * 4096 * 64 * 34) / 32);
  });

  it("refuses data of the wrong length", async () => {
    const bad = { kv: [], tensors: [{ name: "x", shape: [4], type: "F32", data: () => [new Uint8Array(8)] }] };
    await expect(writeGguf(join(dir, "bad.gguf"), bad)).rejects.toThrow(/8 bytes of data, expected 16/);
  });
});
