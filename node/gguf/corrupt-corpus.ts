import { execFileSync } from "node:child_process";
import { mkdir, readFile, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelInvalidReason } from "../../app/contract";
import { ggmlTypeByName } from "./ggml-types";
import type { GgufKv, GgufValue } from "./gguf-values";
import { readChatTemplate } from "./m2-test-models";
import { buildScriptedModel } from "./m2-scripted-model";
import { M3_ARCH } from "./m3-arch";
import { buildM3ScriptedModel } from "./m3-scripted-model";
import { readM3ChatTemplate } from "./m3-test-models";
import { layoutGguf, writeGguf, type GgufFileInput } from "./writer";

/**
 * Malformed GGUFs that llama.cpp (or V8, reading the header) aborts on, each
 * made from the scripted chat model with one thing wrong, and the reason the
 * validator must refuse it with. Test-only: kept out of index.ts.
 */
export interface CorruptCase {
  readonly name: string;
  readonly reason: ModelInvalidReason | "not_found";
  /** Writes the case under `dir` and returns the path to validate. */
  readonly make: (dir: string) => Promise<string>;
}

const ARCH = "minimax-m2";

function baseInput(template: string): GgufFileInput {
  return buildScriptedModel("chat", template).input;
}

/** The input with `key` set to `value` (added when absent), or removed when `value` is undefined. */
function withKv(input: GgufFileInput, key: string, value: GgufValue | undefined): GgufFileInput {
  const rest = input.kv.filter((e) => e.key !== key);
  const kvs: GgufKv[] = value === undefined ? rest : [...rest, { key, value }];
  return { ...input, kv: kvs };
}

/** The input with every tensor whose name matches `pattern` stored as `type` (data left zero). */
function withTensorType(input: GgufFileInput, pattern: RegExp, type: string): GgufFileInput {
  return { ...input, tensors: input.tensors.map((t) => (pattern.test(t.name) ? { ...t, type, data: "zeros" as const } : t)) };
}

function withoutTensor(input: GgufFileInput, name: string): GgufFileInput {
  return { ...input, tensors: input.tensors.filter((t) => t.name !== name) };
}

/** The input with tensor `name` reshaped (data left zero). */
function withShape(input: GgufFileInput, name: string, shape: (old: readonly number[]) => number[]): GgufFileInput {
  return { ...input, tensors: input.tensors.map((t) => (t.name === name ? { ...t, shape: shape(t.shape), data: "zeros" as const } : t)) };
}

/** Byte offset just past a length-prefixed string in a GGUF header (its first occurrence). */
function pastString(bytes: Buffer, text: string): number {
  const needle = Buffer.alloc(8 + Buffer.byteLength(text));
  needle.writeBigUInt64LE(BigInt(Buffer.byteLength(text)), 0);
  needle.write(text, 8);
  const at = bytes.indexOf(needle);
  if (at < 0) throw new Error(`${text} not found in the header`);
  return at + needle.length;
}

/** Rewrites the stored type id of tensor `name` in place: same bytes, a different type (F32 and I32 are both 4 bytes). */
async function retypeTensor(path: string, name: string, type: string): Promise<void> {
  const bytes = await readFile(path);
  const at = pastString(bytes, name);
  const nDims = bytes.readUInt32LE(at);
  bytes.writeUInt32LE(ggmlTypeByName(type).id, at + 4 + 8 * nDims);
  await writeFile(path, bytes);
}

/** Rewrites the item count of array key `key` in place. */
async function patchArrayCount(path: string, key: string, count: bigint): Promise<void> {
  const bytes = await readFile(path);
  bytes.writeBigUInt64LE(count, pastString(bytes, key) + 8); // past the u32 array type and u32 item type
  await writeFile(path, bytes);
}

/** minimax-m3 files cut short or with hparams its loader or MSA graph aborts on, from the scripted M3 chat model. */
async function m3Cases(file: (name: string, input: GgufFileInput) => CorruptCase["make"]): Promise<CorruptCase[]> {
  const base = buildM3ScriptedModel("chat", await readM3ChatTemplate()).input;
  const u32 = (value: number): GgufValue => ({ type: "u32", value });
  const hp = (name: string, key: string, value: GgufValue | undefined): CorruptCase => ({
    name,
    reason: "hparams_invalid",
    make: file(name, withKv(base, `${M3_ARCH}.${key}`, value)),
  });
  const layout = layoutGguf(base);
  const cut = (name: string, at: number): CorruptCase => ({
    name,
    reason: "truncated",
    make: async (dir) => {
      const path = await file(name, base)(dir);
      await truncate(path, at);
      return path;
    },
  });
  return [
    cut("m3-cut-in-tensor-data", layout.fileSize - 4096),
    cut("m3-cut-in-tensor-infos", layout.tensorInfoOffset + 20),
    hp("m3-indexer-block-size-0", "attention.indexer.block_size", u32(0)),
    hp("m3-indexer-block-size-missing", "attention.indexer.block_size", undefined),
    hp("m3-indexer-top-k-0", "attention.indexer.top_k", u32(0)),
    hp("m3-indexer-heads-not-kv-heads", "attention.indexer.head_count", u32(2)),
    hp("m3-indexer-key-length-below-rope", "attention.indexer.key_length", u32(32)),
    hp("m3-indexer-local-blocks-missing", "attention.indexer.local_blocks", undefined),
    hp("m3-shared-experts-0", "expert_shared_count", u32(0)),
    hp("m3-shared-experts-missing", "expert_shared_count", undefined),
    hp("m3-dense-blocks-past-block-count", "leading_dense_block_count", u32(3)),
    hp("m3-gating-missing", "expert_gating_func", undefined),
    hp("m3-expert-ff-missing", "expert_feed_forward_length", undefined),
    // legal values the tensors disagree with
    { name: "m3-dense-blocks-0", reason: "tensor_shape_invalid", make: file("m3-dense-blocks-0", withKv(base, `${M3_ARCH}.leading_dense_block_count`, u32(0))) },
    { name: "m3-shared-experts-2", reason: "tensor_shape_invalid", make: file("m3-shared-experts-2", withKv(base, `${M3_ARCH}.expert_shared_count`, u32(2))) },
    { name: "m3-indexer-missing", reason: "tensor_shape_invalid", make: file("m3-indexer-missing", withoutTensor(base, "blk.1.indexer.k_proj.weight")) },
    { name: "m3-shexp-shape-wrong", reason: "tensor_shape_invalid", make: file("m3-shexp-shape-wrong", withShape(base, "blk.1.ffn_up_shexp.weight", (s) => [s[0] ?? 1, 16])) },
  ];
}

export async function corruptCases(): Promise<CorruptCase[]> {
  const template = await readChatTemplate();
  const base = baseInput(template);
  const file = (name: string, input: GgufFileInput): CorruptCase["make"] => async (dir) => {
    const path = join(dir, `${name}.gguf`);
    await writeGguf(path, input);
    return path;
  };
  const hp = (name: string, key: string, value: GgufValue | undefined): CorruptCase => ({
    name,
    reason: "hparams_invalid",
    make: file(name, withKv(base, `${ARCH}.${key}`, value)),
  });
  const u32 = (value: number): GgufValue => ({ type: "u32", value });
  const f32 = (value: number): GgufValue => ({ type: "f32", value });
  const vocabCase = (name: string, key: string, value: GgufValue | undefined): CorruptCase => ({
    name,
    reason: "vocab_invalid",
    make: file(name, withKv(base, key, value)),
  });
  const tokens = base.kv.find((e) => e.key === "tokenizer.ggml.tokens")?.value;
  if (tokens?.type !== "array" || tokens.itemType !== "str") throw new Error("the base model has no token list");
  const duplicated = [...tokens.values];
  duplicated[300] = duplicated[301] ?? "";
  const emptyClash = [...tokens.values];
  emptyClash[299] = "";
  emptyClash[300] = "[EMPTY_299]"; // llama.cpp names an empty token [EMPTY_<id>]

  const cases: CorruptCase[] = [
    hp("block-count-600", "block_count", u32(600)),
    hp("block-count-0", "block_count", u32(0)),
    hp("block-count-missing", "block_count", undefined),
    hp("expert-count-0", "expert_count", u32(0)),
    hp("expert-count-2000", "expert_count", u32(2000)),
    hp("experts-used-over-experts", "expert_used_count", u32(5)),
    hp("experts-used-0", "expert_used_count", u32(0)),
    hp("experts-used-per-layer-wrong-length", "expert_used_count", { type: "array", itemType: "u32", values: [2, 2, 2] }),
    hp("embedding-length-0", "embedding_length", u32(0)),
    hp("context-length-0", "context_length", u32(0)),
    hp("key-length-0", "attention.key_length", u32(0)),
    hp("value-length-differs", "attention.value_length", u32(64)),
    hp("head-count-0", "attention.head_count", u32(0)),
    hp("head-count-kv-not-dividing", "attention.head_count_kv", u32(3)),
    hp("rope-dims-100000", "rope.dimension_count", u32(100_000)),
    hp("rope-dims-odd", "rope.dimension_count", u32(63)),
    hp("rope-dims-0", "rope.dimension_count", u32(0)),
    hp("epsilon-nan", "attention.layer_norm_rms_epsilon", f32(Number.NaN)),
    hp("epsilon-negative", "attention.layer_norm_rms_epsilon", f32(-1e-6)),
    hp("epsilon-infinite", "attention.layer_norm_rms_epsilon", f32(Number.POSITIVE_INFINITY)),
    hp("epsilon-missing", "attention.layer_norm_rms_epsilon", undefined),
    hp("gating-none", "expert_gating_func", u32(0)),
    hp("gating-missing", "expert_gating_func", undefined),
    hp("expert-ff-0", "expert_feed_forward_length", u32(0)),
    hp("ff-0", "feed_forward_length", u32(0)),
    hp("ff-missing", "feed_forward_length", undefined),
    hp("block-count-string", "block_count", { type: "str", value: "2" }),
    hp("rope-scaling-unknown", "rope.scaling.type", { type: "str", value: "bogus" }),
    vocabCase("vocab-empty", "tokenizer.ggml.tokens", { type: "array", itemType: "str", values: [] }),
    vocabCase("vocab-duplicated", "tokenizer.ggml.tokens", { type: "array", itemType: "str", values: duplicated }),
    vocabCase("vocab-empty-token-clash", "tokenizer.ggml.tokens", { type: "array", itemType: "str", values: emptyClash }),
    vocabCase("vocab-missing", "tokenizer.ggml.tokens", undefined),
    vocabCase("vocab-not-strings", "tokenizer.ggml.tokens", { type: "array", itemType: "i32", values: [1, 2, 3] }),
    vocabCase("token-types-short", "tokenizer.ggml.token_type", { type: "array", itemType: "i32", values: [1, 1] }),
    vocabCase("tokenizer-model-missing", "tokenizer.ggml.model", undefined),
    // the scripted vocab's byte tokens are GPT-2 style, so as SentencePiece it has none of <0x00>…<0xFF>
    vocabCase("spm-without-byte-tokens", "tokenizer.ggml.model", { type: "str", value: "llama" }),
    {
      name: "f32-matrix-retyped-i32",
      reason: "tensor_type_invalid",
      make: async (dir) => {
        const path = await file("f32-matrix-retyped-i32", base)(dir);
        await retypeTensor(path, "blk.1.attn_q.weight", "I32");
        return path;
      },
    },
    {
      name: "f32-norm-retyped-i32",
      reason: "tensor_type_invalid",
      make: async (dir) => {
        const path = await file("f32-norm-retyped-i32", base)(dir);
        await retypeTensor(path, "blk.0.attn_norm.weight", "I32");
        return path;
      },
    },
    // a legal value the tensors disagree with: llama.cpp asserted at the first token
    { name: "embedding-length-1", reason: "tensor_shape_invalid", make: file("embedding-length-1", withKv(base, `${ARCH}.embedding_length`, u32(1))) },
    hp("head-count-per-layer-uneven", "attention.head_count", { type: "array", itemType: "u32", values: [2, 4] }),
    { name: "tensor-missing", reason: "tensor_shape_invalid", make: file("tensor-missing", withoutTensor(base, "blk.1.ffn_norm.weight")) },
    { name: "expert-shape-wrong", reason: "tensor_shape_invalid", make: file("expert-shape-wrong", withShape(base, "blk.0.ffn_up_exps.weight", (s) => [s[0] ?? 1, 16, s[2] ?? 1])) },
    {
      name: "fused-qkv",
      reason: "tensor_shape_invalid",
      make: file("fused-qkv", { ...base, tensors: [...base.tensors, { name: "blk.0.attn_qkv.weight", shape: [32, 32], type: "F32", data: "zeros" }] }),
    },
    { name: "norms-q8_0", reason: "tensor_type_invalid", make: file("norms-q8_0", withTensorType(base, /_norm\.weight$/, "Q8_0")) },
    { name: "norms-f16", reason: "tensor_type_invalid", make: file("norms-f16", withTensorType(base, /^output_norm\.weight$/, "F16")) },
    { name: "bias-f16", reason: "tensor_type_invalid", make: file("bias-f16", withTensorType(base, /exp_probs_b\.bias$/, "F16")) },
    { name: "weights-f64", reason: "tensor_type_invalid", make: file("weights-f64", withTensorType(base, /^blk\.1\.attn_k\.weight$/, "F64")) },
    {
      // 2^29 empty strings fit a 16 GiB file (8 bytes each) but not V8's heap
      name: "sparse-2^29-tokens",
      reason: "header_too_large",
      make: async (dir) => {
        const path = await file("sparse-2^29-tokens", base)(dir);
        await patchArrayCount(path, "tokenizer.ggml.tokens", 2n ** 29n);
        await truncate(path, 16 * 1024 ** 3);
        return path;
      },
    },
    {
      name: "array-count-past-the-end",
      reason: "corrupt",
      make: async (dir) => {
        const path = await file("array-count-past-the-end", base)(dir);
        await patchArrayCount(path, "tokenizer.ggml.token_type", 2n ** 31n);
        return path;
      },
    },
    {
      name: "fifo",
      reason: "not_a_file",
      make: async (dir) => {
        const path = join(dir, "fifo.gguf");
        execFileSync("mkfifo", [path]);
        return path;
      },
    },
    {
      name: "directory",
      reason: "not_a_file",
      make: async (dir) => {
        const path = join(dir, "directory.gguf");
        await mkdir(path);
        return path;
      },
    },
    {
      name: "symlink-loop",
      reason: "not_a_file",
      make: async (dir) => {
        await symlink(join(dir, "loop-b.gguf"), join(dir, "loop-a.gguf"));
        await symlink(join(dir, "loop-a.gguf"), join(dir, "loop-b.gguf"));
        return join(dir, "loop-a.gguf");
      },
    },
    {
      name: "dangling-symlink",
      reason: "not_found",
      make: async (dir) => {
        await symlink(join(dir, "nowhere.gguf"), join(dir, "dangling.gguf"));
        return join(dir, "dangling.gguf");
      },
    },
    ...(await m3Cases(file)),
  ];
  return cases;
}

/** The untouched base, for checking that the corpus's generator itself writes a loadable model. */
export async function writeCorpusBase(dir: string): Promise<string> {
  const path = join(dir, "valid.gguf");
  await writeGguf(path, baseInput(await readChatTemplate()));
  return path;
}

/** The untouched minimax-m3 base of the corpus's M3 cases. */
export async function writeM3CorpusBase(dir: string): Promise<string> {
  const path = join(dir, "valid-m3.gguf");
  await writeGguf(path, buildM3ScriptedModel("chat", await readM3ChatTemplate()).input);
  return path;
}
