import { kv } from "./gguf-values";
import { m2Metadata, m2TensorTable, type M2Hparams, type M2TensorSpec } from "./m2-arch";
import { scriptedSegments } from "./m2-scripted-model";
import { buildScriptedVocab, tokenizerMetadata } from "./m2-vocab";
import { filled, fromRows, prng, randomQ8_0 } from "./tensor-data";
import type { GgufFileInput, GgufTensorInput } from "./writer";

/** M2's structure scaled down for throughput tests: same tensor kinds and ratios, ~0.4 B parameters. */
export const BENCH_HPARAMS: M2Hparams = {
  nLayer: 8,
  nEmbd: 1024,
  nHead: 16,
  nHeadKv: 4,
  headDim: 128,
  nRot: 64,
  nExpert: 32,
  nExpertUsed: 8,
  nFfExp: 512,
  contextLength: 8192,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
};

export const BENCH_SEED = 0x4d32;
const LLAMA_FTYPE_MOSTLY_Q8_0 = 7;

/** Random Q8_0 weights over the chat scenario's vocab; the EOS row of output.weight is zero so greedy decoding never stops early. */
export function buildBenchModel(chatTemplate: string): GgufFileInput {
  const { turn1, afterTool } = scriptedSegments("chat");
  const vocab = buildScriptedVocab([...turn1, ...afterTool]);
  const h = BENCH_HPARAMS;
  const specs = m2TensorTable(h, vocab.tokens.length);
  const tensorFor = (spec: M2TensorSpec, index: number): GgufTensorInput => {
    const [cols = 1, rows = 1] = spec.shape;
    const matrixRows = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const seed = BENCH_SEED + index * 7919;
    const base = { name: spec.name, shape: spec.shape };
    switch (spec.role) {
      case "output_norm": case "attn_norm": case "ffn_norm": case "attn_q_norm": case "attn_k_norm":
        return { ...base, type: "F32", data: filled("F32", cols, 1) };
      case "exp_probs_b":
        return { ...base, type: "F32", data: "zeros" };
      case "ffn_gate_inp": {
        const next = prng(seed);
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, (_, out) => { for (let i = 0; i < out.length; i++) out[i] = (next() / 2 ** 32 - 0.5) * 0.2; }) };
      }
      case "output":
        return { ...base, type: "Q8_0", data: randomQ8_0(cols, matrixRows, seed, 0.05, new Set([vocab.eos])) };
      case "token_embd":
        return { ...base, type: "Q8_0", data: randomQ8_0(cols, matrixRows, seed, 1) };
      default:
        // 1/√fan-in keeps activations in range across the 8 layers
        return { ...base, type: "Q8_0", data: randomQ8_0(cols, matrixRows, seed, Math.sqrt(3 / cols)) };
    }
  };
  return {
    kv: [
      ...m2Metadata(h, "m2-bench"),
      ...tokenizerMetadata(vocab, chatTemplate),
      kv.u32("general.file_type", LLAMA_FTYPE_MOSTLY_Q8_0),
      kv.u32("general.quantization_version", 2),
    ],
    tensors: specs.map(tensorFor),
  };
}
