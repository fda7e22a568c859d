/**
 * minimax-m2 and minimax-m3 models with random weights whose routed expert tensors are most of
 * their bytes, for proving expert offload on a real device: moving the experts to RAM must move
 * almost all of the model, and (M3) nothing but the routed experts.
 *
 * All weights are F32 on purpose: the tests compare greedy output across the GPU and CPU
 * backends, and F32 math there differs only by summation order (~1e-6), far below the gaps between
 * top logits and between router scores, so the argmax sequence is the same everywhere. Quantized
 * weights would be dequantized differently per backend and could flip a near-tie.
 */
import { createHash } from "node:crypto";
import { kv } from "../../node/gguf/gguf-values";
import { ggmlTypeByName, tensorByteSize } from "../../node/gguf/ggml-types";
import { m2Metadata, m2TensorTable, type M2Hparams } from "../../node/gguf/m2-arch";
import { SCRIPTS } from "../../node/gguf/m2-scripts";
import { ensure, readChatTemplate } from "../../node/gguf/m2-test-models";
import { buildScriptedVocab, M2_SPECIALS, tokenizerMetadata, type SpecialTokens } from "../../node/gguf/m2-vocab";
import { m3Metadata, m3TensorTable, type M3Hparams } from "../../node/gguf/m3-arch";
import { M3_SPECIALS } from "../../node/gguf/m3-scripted-model";
import { M3_SCRIPTS } from "../../node/gguf/m3-scripts";
import { readM3ChatTemplate } from "../../node/gguf/m3-test-models";
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

/**
 * M3's shape in small: a leading dense block, then MoE blocks with a shared expert and sparse
 * attention. The indexer picks 2 key blocks of 16 tokens, so a prompt plus 32 generated tokens
 * (4+ blocks) really selects, on the device and on the CPU alike.
 */
export const M3_OFFLOAD_HPARAMS: M3Hparams = {
  ...OFFLOAD_HPARAMS,
  nDenseLead: 1,
  nExpertShared: 1,
  nFf: 1024,
  expertWeightsScale: 2.0,
  indexer: { nHead: 1, headDim: 128, topK: 2, blockSize: 16, localBlocks: 1 },
};

export const OFFLOAD_SEED = 0x0ff10ad;

export type OffloadFamily = "minimax-m2" | "minimax-m3";

/** llama.cpp's LLM_FFN_EXPS_REGEX family: the three routed expert tensors of every MoE block (not M3's `_shexp`). */
export const EXPERT_TENSOR_PATTERN = String.raw`blk\.\d+\.ffn_(up|down|gate)_exps`;
const EXPERT_NAME = new RegExp(EXPERT_TENSOR_PATTERN);
const SHARED_EXPERT_NAME = /^blk\.\d+\.ffn_(up|down|gate)_shexp\./;

export interface OffloadTestModel {
  readonly path: string;
  readonly family: OffloadFamily;
  readonly nLayer: number;
  /** Blocks with routed experts: every block for M2, all but the leading dense ones for M3. */
  readonly moeLayers: readonly number[];
  readonly totalTensorBytes: number;
  /** Bytes of the tensors EXPERT_TENSOR_PATTERN matches. */
  readonly expertBytes: number;
  /** Bytes of M3's shared-expert tensors (0 for M2), which must stay with their block. */
  readonly sharedExpertBytes: number;
}

interface TensorSpec {
  readonly name: string;
  readonly role: string;
  readonly shape: readonly number[];
}

const NORM_ROLES = new Set(["output_norm", "attn_norm", "ffn_norm", "attn_q_norm", "attn_k_norm", "indexer_q_norm", "indexer_k_norm"]);

/** Unit norms, zero expert bias, ±1 embeddings, a zero EOS row in the output, ±√(3/fan-in) elsewhere. */
function randomTensors(specs: readonly TensorSpec[], eos: number): GgufTensorInput[] {
  return specs.map((spec, index) => {
    const [cols = 1] = spec.shape;
    const rows = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const base = { name: spec.name, shape: spec.shape, type: "F32" };
    const uniform = (amplitude: number, zeroRow = -1) => {
      const next = prng(OFFLOAD_SEED + index * 7919);
      return fromRows("F32", cols, rows, (row, out) => {
        if (row === zeroRow) return;
        for (let i = 0; i < out.length; i++) out[i] = (next() / 2 ** 32 - 0.5) * 2 * amplitude;
      });
    };
    if (NORM_ROLES.has(spec.role)) return { ...base, data: filled("F32", cols, 1) };
    if (spec.role === "exp_probs_b") return { ...base, data: "zeros" };
    if (spec.role === "token_embd") return { ...base, data: uniform(1) };
    // a zero EOS row: greedy decoding never stops before the token budget
    if (spec.role === "output") return { ...base, data: uniform(Math.sqrt(3 / cols) * 4, eos) };
    // unit variance through every matrix
    return { ...base, data: uniform(Math.sqrt(3 / cols)) };
  });
}

function scriptVocab(scripts: readonly (readonly string[])[], specials: SpecialTokens) {
  const reserved = new Set<string>([...specials.control, ...specials.user]);
  return buildScriptedVocab(toSegments(scripts, reserved).flat(), specials);
}

function buildInput(family: OffloadFamily, template: string): GgufFileInput {
  if (family === "minimax-m2") {
    const vocab = scriptVocab([SCRIPTS.chat.turn1, SCRIPTS.chat.afterTool], M2_SPECIALS);
    return {
      kv: [...m2Metadata(OFFLOAD_HPARAMS, "m2-offload-test"), ...tokenizerMetadata(vocab, template), kv.u32("general.file_type", 0)], // LLAMA_FTYPE_ALL_F32
      tensors: randomTensors(m2TensorTable(OFFLOAD_HPARAMS, vocab.tokens.length), vocab.eos),
    };
  }
  const vocab = scriptVocab([M3_SCRIPTS.chat.turn1, M3_SCRIPTS.chat.afterTool], M3_SPECIALS);
  return {
    kv: [...m3Metadata(M3_OFFLOAD_HPARAMS, "m3-offload-test"), ...tokenizerMetadata(vocab, template), kv.u32("general.file_type", 0)],
    tensors: randomTensors(m3TensorTable(M3_OFFLOAD_HPARAMS, vocab.tokens.length), vocab.eos),
  };
}

function describeModel(family: OffloadFamily, input: GgufFileInput): Omit<OffloadTestModel, "path"> {
  const h = family === "minimax-m2" ? OFFLOAD_HPARAMS : M3_OFFLOAD_HPARAMS;
  const dense = family === "minimax-m2" ? 0 : M3_OFFLOAD_HPARAMS.nDenseLead;
  let totalTensorBytes = 0;
  let expertBytes = 0;
  let sharedExpertBytes = 0;
  for (const t of input.tensors) {
    const bytes = tensorByteSize(ggmlTypeByName(t.type), t.shape);
    totalTensorBytes += bytes;
    if (EXPERT_NAME.test(t.name)) expertBytes += bytes;
    if (SHARED_EXPERT_NAME.test(t.name)) sharedExpertBytes += bytes;
  }
  const moeLayers = Array.from({ length: h.nLayer - dense }, (_, i) => dense + i);
  return { family, nLayer: h.nLayer, moeLayers, totalTensorBytes, expertBytes, sharedExpertBytes };
}

/** Generates the model once into the shared test model cache (.cache/models), atomically. */
export async function ensureOffloadTestModel(family: OffloadFamily = "minimax-m2"): Promise<OffloadTestModel> {
  const template = family === "minimax-m2" ? await readChatTemplate() : await readM3ChatTemplate();
  // M2's key predates M3's model and is kept, so its cached file stays valid
  const key = createHash("sha256")
    .update(JSON.stringify(family === "minimax-m2"
      ? { v: GENERATOR_VERSION, h: OFFLOAD_HPARAMS, seed: OFFLOAD_SEED, template }
      : { v: GENERATOR_VERSION, family, h: M3_OFFLOAD_HPARAMS, seed: OFFLOAD_SEED, template }))
    .digest("hex")
    .slice(0, 12);
  const input = buildInput(family, template);
  const name = `${family === "minimax-m2" ? "m2" : "m3"}-offload-${key}`;
  const [path] = await ensure(name, 1, async (prefix) => {
    await writeGguf(`${prefix}.gguf`, input);
    return [`${prefix}.gguf`];
  });
  if (!path) throw new Error("unreachable");
  return { path, ...describeModel(family, input) };
}
