import { randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { getLlama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../app/contract";
import { encodeTensor } from "./encode";
import { kv, type GgufKv } from "./gguf-values";
import { ensureSplitTestModel, expectedOutput } from "./m2-test-models";
import { minimalModel } from "./minimal-header";
import { modelInvalidReason, type ModelInvalidReason } from "./model-invalid";
import { prng } from "./tensor-data";
import { validateModel } from "./validate";
import { layoutGguf, writeGguf, type GgufFileInput } from "./writer";
import { splitPartPath, writeGgufSplit } from "./split";

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "gguf-validate-")); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const f32 = (n: number) => () => [encodeTensor("F32", Float32Array.from({ length: n }, (_, i) => i))];

/** The validator's minimal model, its first tensor filled with data (the others are zeros). */
function smallModel(arch = "minimax-m2", extraKv: GgufKv[] = []): GgufFileInput {
  const { kv: kvs, tensors } = minimalModel(arch);
  const [embd, ...rest] = tensors;
  if (!embd) throw new Error("unreachable");
  return { kv: [...kvs, ...extraKv], tensors: [{ ...embd, data: f32(embd.shape.reduce((a, b) => a * b, 1)) }, ...rest] };
}

const N_TENSORS = smallModel().tensors.length;

async function writeSmall(name: string, input = smallModel()): Promise<string> {
  const path = join(dir, name);
  await writeGguf(path, input);
  return path;
}

async function reasonOf(path: string): Promise<ModelInvalidReason | "valid"> {
  try {
    await validateModel(path);
    return "valid";
  } catch (error) {
    const reason = modelInvalidReason(error);
    if (!reason) throw error;
    expect((error as AppError).details).toMatchObject({ path: expect.any(String), reason });
    return reason;
  }
}

const seededBytes = (n: number, seed: number) => {
  const next = prng(seed);
  return Uint8Array.from({ length: n }, () => next() & 0xff);
};

describe("validateModel: single files", () => {
  it("accepts a valid file, and extra bytes after the tensor data", async () => {
    const path = await writeSmall("valid.gguf");
    const model = await validateModel(path);
    expect(model.architecture).toBe("minimax-m2");
    expect(model.isTarget).toBe(true);
    expect(model.loadPath).toBe(path);
    await writeFile(path, randomBytes(1000), { flag: "a" });
    expect(await reasonOf(path)).toBe("valid");
  });

  it("bad magic → not_gguf", async () => {
    const path = await writeSmall("magic.gguf");
    const bytes = await readFile(path);
    bytes.write("GGML", 0, "latin1");
    await writeFile(path, bytes);
    expect(await reasonOf(path)).toBe("not_gguf");
  });

  it("zero-length and 3-byte files → not_gguf", async () => {
    await writeFile(join(dir, "empty.gguf"), "");
    await writeFile(join(dir, "tiny.gguf"), "GGU");
    expect(await reasonOf(join(dir, "empty.gguf"))).toBe("not_gguf");
    expect(await reasonOf(join(dir, "tiny.gguf"))).toBe("not_gguf");
  });

  it("GGUF v1 and v4 → unsupported_version", async () => {
    await writeGguf(join(dir, "v1.gguf"), smallModel(), { version: 1 });
    await writeGguf(join(dir, "v4.gguf"), smallModel(), { version: 4 });
    expect(await reasonOf(join(dir, "v1.gguf"))).toBe("unsupported_version");
    expect(await reasonOf(join(dir, "v4.gguf"))).toBe("unsupported_version");
  });

  it("cut inside the tensor data → truncated", async () => {
    const path = await writeSmall("cut-data.gguf");
    const layout = layoutGguf(smallModel());
    await truncate(path, layout.dataOffset + 1000);
    expect(await reasonOf(path)).toBe("truncated");
  });

  it("cut inside the header (key/values, tensor infos, the magic's version) → truncated", async () => {
    const layout = layoutGguf(smallModel());
    for (const cut of [6, 40, layout.tensorInfoOffset - 3, layout.tensorInfoOffset + 20]) {
      const path = await writeSmall(`cut-header-${cut}.gguf`);
      await truncate(path, cut);
      expect(await reasonOf(path), `cut at ${cut}`).toBe("truncated");
    }
  });

  it("random bytes after a valid key/value section → corrupt", async () => {
    const layout = layoutGguf(smallModel());
    for (const seed of [1, 2, 3, 4, 5]) {
      const path = join(dir, `random-${seed}.gguf`);
      const head = layout.header.subarray(0, layout.tensorInfoOffset);
      await writeFile(path, Buffer.concat([head, seededBytes(4096, seed)]));
      expect(await reasonOf(path), `seed ${seed}`).toBe("corrupt");
    }
  });

  it("garbage key/value type, absurd counts, over-long strings → corrupt", async () => {
    const layout = layoutGguf(smallModel());
    const base = await readFile(await writeSmall("base.gguf"));
    const patched = async (name: string, patch: (b: Buffer) => void) => {
      const b = Buffer.from(base);
      patch(b);
      await writeFile(join(dir, name), b);
      return reasonOf(join(dir, name));
    };
    // first key: u64 length at 24, "general.architecture" (20 bytes), then its u32 type
    expect(await patched("kv-type.gguf", (b) => b.writeUInt32LE(77, 24 + 8 + 20))).toBe("corrupt");
    expect(await patched("n-kv.gguf", (b) => b.writeBigUInt64LE(2n ** 40n, 16))).toBe("corrupt");
    expect(await patched("n-tensors.gguf", (b) => b.writeBigUInt64LE(2n ** 50n, 8))).toBe("corrupt");
    expect(await patched("key-len.gguf", (b) => b.writeBigUInt64LE(BigInt(base.length + 1), 24))).toBe("corrupt");
    // the first tensor's name length
    expect(await patched("name-len.gguf", (b) => b.writeBigUInt64LE(2n ** 62n, layout.tensorInfoOffset))).toBe("corrupt");
  });

  it("an architecture llama.cpp does not know → unsupported_arch", async () => {
    expect(await reasonOf(await writeSmall("foo.gguf", smallModel("foo")))).toBe("unsupported_arch");
    expect(await reasonOf(await writeSmall("llama.gguf", smallModel("llama")))).toBe("valid");
  });

  it("tokens that differ only in invalid UTF-8 bytes are not duplicates (the reader decodes both to U+FFFD)", async () => {
    const tokens = ["a", "b", "c", "d", "e", "f", "<Y>", "<Z>"];
    const input = smallModel();
    const path = await writeSmall("utf8.gguf", { ...input, kv: [...input.kv.filter((e) => e.key !== "tokenizer.ggml.tokens"), kv.strArr("tokenizer.ggml.tokens", tokens)] });
    const bytes = await readFile(path);
    for (const [token, byte] of [["<Y>", 0xff], ["<Z>", 0xfe]] as const) {
      const at = bytes.indexOf(Buffer.from(token));
      bytes.fill(byte, at, at + 3);
    }
    await writeFile(path, bytes);
    expect(await reasonOf(path)).toBe("valid");
  });

  it("attack: two tokens with the same invalid UTF-8 bytes → vocab_invalid (llama.cpp compares bytes and asserts), while differing ones stay valid", async () => {
    const tokens = ["a", "b", "c", "d", "e", "f", "<Y>", "<Z>"];
    const input = smallModel();
    const path = await writeSmall("utf8-dup.gguf", { ...input, kv: [...input.kv.filter((e) => e.key !== "tokenizer.ggml.tokens"), kv.strArr("tokenizer.ggml.tokens", tokens)] });
    const bytes = await readFile(path);
    for (const token of ["<Y>", "<Z>"]) {
      const at = bytes.indexOf(Buffer.from(token));
      bytes.fill(0xff, at, at + 3);
    }
    await writeFile(path, bytes);
    expect(await reasonOf(path)).toBe("vocab_invalid");
  });

  it("a directory → not_a_file", async () => {
    expect(await reasonOf(dir)).toBe("not_a_file");
  });

  it("a missing file is not_found, not model_invalid", async () => {
    await expect(validateModel(join(dir, "nope.gguf"))).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("validateModel: split models", { timeout: 120_000 }, () => {
  it("a 3-part split model validates and loads in node-llama-cpp from part 1", async () => {
    const parts = await ensureSplitTestModel("chat", 3);
    parts.forEach((p, i) => expect(p).toMatch(new RegExp(`-0000${i + 1}-of-00003\\.gguf$`)));
    const model = await validateModel(parts[0] ?? "");
    expect(model.parts).toHaveLength(3);
    expect(model.parts.every((p) => p.tensors.length > 0)).toBe(true);

    const llama = await getLlama({ gpu: false });
    const loaded = await llama.loadModel({ modelPath: model.loadPath });
    const context = await loaded.createContext({ contextSize: 1024, threads: 1 });
    const prompt = loaded.tokenize("]~!b[]~b]system\nYou are a helpful assistant.[e~[\n]~b]user\nHi[e~[\n]~b]ai\n<think>\n", true);
    const out = [];
    for await (const token of context.getSequence().evaluate(prompt, { temperature: 1, topK: 40, topP: 0.95 })) {
      out.push(token);
      if (out.length === 5) break;
    }
    expect(expectedOutput("chat", "turn1").startsWith(loaded.detokenize(out))).toBe(true);
    await context.dispose();
    await loaded.dispose();
    await llama.dispose();
  });

  it("a missing part → split_missing, listing it", async () => {
    const parts = await ensureSplitTestModel("chat", 3);
    const sub = await mkdtemp(join(dir, "missing-"));
    for (const i of [0, 2]) await copyFile(parts[i] ?? "", join(sub, basename(parts[i] ?? "")));
    const first = join(sub, basename(parts[0] ?? ""));
    await expect(validateModel(first)).rejects.toMatchObject({
      code: "model_invalid",
      details: { reason: "split_missing", missing: [join(sub, basename(parts[1] ?? ""))] },
    });
  });

  async function splitWith(name: string, override: (part: number) => GgufKv[] | undefined): Promise<string> {
    const prefix = join(dir, name);
    const input = smallModel();
    const per = Math.ceil(input.tensors.length / 3);
    for (let i = 0; i < 3; i++) {
      const splitKv = override(i) ?? [kv.u16("split.no", i), kv.u16("split.count", 3), kv.i32("split.tensors.count", N_TENSORS)];
      const tensors = input.tensors.slice(i * per, (i + 1) * per);
      await writeGguf(splitPartPath(prefix, i + 1, 3), { kv: i === 0 ? [...input.kv, ...splitKv] : splitKv, tensors });
    }
    return splitPartPath(prefix, 1, 3);
  }

  it("split keys that disagree with the set → split_inconsistent", async () => {
    const valid = await splitWith("ok", () => undefined);
    expect(await reasonOf(valid)).toBe("valid");
    const wrongNo = await splitWith("no", (i) => (i === 1 ? [kv.u16("split.no", 0), kv.u16("split.count", 3), kv.i32("split.tensors.count", N_TENSORS)] : undefined));
    expect(await reasonOf(wrongNo)).toBe("split_inconsistent");
    const wrongCount = await splitWith("count", (i) => (i === 2 ? [kv.u16("split.no", 2), kv.u16("split.count", 4), kv.i32("split.tensors.count", N_TENSORS)] : undefined));
    expect(await reasonOf(wrongCount)).toBe("split_inconsistent");
    const wrongTensors = await splitWith("tensors", (i) => [kv.u16("split.no", i), kv.u16("split.count", 3), kv.i32("split.tensors.count", N_TENSORS + 2)]);
    expect(await reasonOf(wrongTensors)).toBe("split_inconsistent");
    const noKeys = await splitWith("nokeys", (i) => (i === 1 ? [] : undefined));
    expect(await reasonOf(noKeys)).toBe("split_inconsistent");
  });

  it("split keys in a file not named as a split → split_inconsistent", async () => {
    const path = await writeSmall("lonely.gguf", smallModel("minimax-m2", [kv.u16("split.no", 0), kv.u16("split.count", 3), kv.i32("split.tensors.count", 9)]));
    expect(await reasonOf(path)).toBe("split_inconsistent");
  });

  it("a part whose tensor data runs past its end → truncated, naming that part", async () => {
    const prefix = join(dir, "cutpart");
    const [, second] = await writeGgufSplit(prefix, smallModel(), 3);
    await truncate(second ?? "", 100);
    await expect(validateModel(splitPartPath(prefix, 1, 3))).rejects.toMatchObject({ details: { reason: "truncated", path: second } });
  });
});
