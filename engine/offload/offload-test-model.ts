/**
 * A minimax-m2 model with random weights whose expert tensors are ~97% of its bytes, for proving
 * expert offload on a real device: moving the experts to RAM must move almost all of the model.
 *
 * All weights are F32 on purpose: the test compares greedy output across the GPU and CPU
 * backends, and F32 math there differs only by summation order (~1e-6), far below the gaps between
 * top logits and between router scores, so the argmax sequence is the same everywhere. Quantized
 * weights would be dequantized differently per backend and could flip a near-tie.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { kv } from "../../node/gguf/gguf-values";
import { ggmlTypeByName, tensorByteSize } from "../../node/gguf/ggml-types";
import { m2Metadata, m2TensorTable, type M2Hparams, type M2TensorSpec } from "../../node/gguf/m2-arch";
import { SCRIPTS } from "../../node/gguf/m2-scripts";
import { readChatTemplate, testModelsDir } from "../../node/gguf/m2-test-models";
import { buildScriptedVocab, M2_CONTROL_TOKENS, M2_USER_TOKENS, tokenizerMetadata } from "../../node/gguf/m2-vocab";
import { toSegments } from "../../node/gguf/segments";
import { filled, fromRows, prng } from "../../node/gguf/tensor-data";
import { writeGguf, type GgufFileInput, type GgufTensorInput } from "../../node/gguf/writer";

/** Bump when the weights change in a way the parameters below do not show. */
const GENERATOR_VERSION = 1;

export const OFFLOAD_HPARAMS: M2Hparams = {
  nLayer: 4,
  nEmbd: 512,
  nHead: 4,
  nHeadKv: 1,
  headDim: 128,
  nRot: 64,
  nExpert: 16,
  nExpertUsed: 4,
  nFfExp: 512,
  contextLength: 4096,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
};

export const OFFLOAD_SEED = 0x0ff10ad;

/** llama.cpp's LLM_FFN_EXPS_REGEX family: the three expert tensors of every block. */
export const EXPERT_TENSOR_PATTERN = String.raw`blk\.\d+\.ffn_(up|down|gate)_exps`;
const EXPERT_NAME = new RegExp(EXPERT_TENSOR_PATTERN);

export interface OffloadTestModel {
  readonly path: string;
  readonly hparams: M2Hparams;
  readonly totalTensorBytes: number;
  /** Bytes of the tensors EXPERT_TENSOR_PATTERN matches. */
  readonly expertBytes: number;
}

function buildInput(template: string): GgufFileInput {
  const reserved = new Set<string>([...M2_CONTROL_TOKENS, ...M2_USER_TOKENS]);
  const vocab = buildScriptedVocab(toSegments([SCRIPTS.chat.turn1, SCRIPTS.chat.afterTool], reserved).flat());
  const h = OFFLOAD_HPARAMS;
  const uniform = (cols: number, rows: number, seed: number, amplitude: number, zeroRow = -1) => {
    const next = prng(seed);
    return fromRows("F32", cols, rows, (row, out) => {
      if (row === zeroRow) return;
      for (let i = 0; i < out.length; i++) out[i] = (next() / 2 ** 32 - 0.5) * 2 * amplitude;
    });
  };
  const tensorFor = (spec: M2TensorSpec, index: number): GgufTensorInput => {
    const [cols = 1] = spec.shape;
    const rows = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const seed = OFFLOAD_SEED + index * 7919;
    const base = { name: spec.name, shape: spec.shape, type: "F32" };
    switch (spec.role) {
      case "output_norm": case "attn_norm": case "ffn_norm": case "attn_q_norm": case "attn_k_norm":
        return { ...base, data: filled("F32", cols, 1) };
      case "exp_probs_b":
        return { ...base, data: "zeros" };
      case "token_embd":
        return { ...base, data: uniform(cols, rows, seed, 1) };
      case "output":
        // a zero EOS row: greedy decoding never stops before the token budget
        return { ...base, data: uniform(cols, rows, seed, Math.sqrt(3 / cols) * 4, vocab.eos) };
      default:
        // uniform ±√(3/fan-in): unit variance through every matrix
        return { ...base, data: uniform(cols, rows, seed, Math.sqrt(3 / cols)) };
    }
  };
  return {
    kv: [
      ...m2Metadata(h, "m2-offload-test"),
      ...tokenizerMetadata(vocab, template),
      kv.u32("general.file_type", 0), // LLAMA_FTYPE_ALL_F32
    ],
    tensors: m2TensorTable(h, vocab.tokens.length).map(tensorFor),
  };
}

function sizes(input: GgufFileInput): { totalTensorBytes: number; expertBytes: number } {
  let totalTensorBytes = 0;
  let expertBytes = 0;
  for (const t of input.tensors) {
    const bytes = tensorByteSize(ggmlTypeByName(t.type), t.shape);
    totalTensorBytes += bytes;
    if (EXPERT_NAME.test(t.name)) expertBytes += bytes;
  }
  return { totalTensorBytes, expertBytes };
}

/** Generates the model once into the shared test model cache (.cache/models), atomically. */
export async function ensureOffloadTestModel(): Promise<OffloadTestModel> {
  const template = await readChatTemplate();
  const key = createHash("sha256")
    .update(JSON.stringify({ v: GENERATOR_VERSION, h: OFFLOAD_HPARAMS, seed: OFFLOAD_SEED, template }))
    .digest("hex")
    .slice(0, 12);
  const dir = testModelsDir();
  const path = join(dir, `m2-offload-${key}.gguf`);
  const input = buildInput(template);
  if (!existsSync(path)) {
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-offload-${randomBytes(4).toString("hex")}.gguf`);
    try {
      await writeGguf(tmp, input);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return { path, hparams: OFFLOAD_HPARAMS, ...sizes(input) };
}
