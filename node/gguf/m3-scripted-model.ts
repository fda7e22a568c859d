import { kv } from "./gguf-values";
import { m3Metadata, m3TensorTable, type M3Hparams, type M3TensorSpec } from "./m3-arch";
import { M3_NS } from "../../app/m3/prompt";
import { M3_SCRIPTS, type M3ScriptedScenario } from "./m3-scripts";
import { outputMatrix, sparseFill, SCRIPTED_WEIGHTS } from "./m2-scripted-model";
import { buildScriptedVocab, tokenizerMetadata, type ScriptedVocab, type SpecialTokens } from "./m2-vocab";
import { toSegments } from "./segments";
import { filled, fromRows } from "./tensor-data";
import type { GgufFileInput, GgufTensorInput } from "./writer";

/**
 * M3's special tokens as the scripted vocab holds them: the M2 control tokens M3 keeps
 * (MiniMax-M3.jinja's bod/bos/eos), the namespace token and the think tags, and the tool
 * response tags the branch keys on. Which of these the real M3 tokenizer makes special is not
 * known here (its tokenizer.json is not stored); the test vocab only needs them unsplittable.
 */
export const M3_SPECIALS: SpecialTokens = {
  control: ["]~!b[", "]~b]", "[e~["],
  user: [M3_NS, "<mm:think>", "</mm:think>", "<response>", "</response>"],
  bos: "]~!b[",
  eos: "[e~[",
};

/**
 * Tiny M3 dims that still take every code path the real model does: block 0 is a leading
 * dense block (full attention, dense FFN), block 1 a MoE block with its shared expert and MSA
 * (the indexer has one head per KV head, as the graph asserts). Block 0 carries the
 * tool-response branch exactly as the M2 scripted models' layer 0 does (SCRIPTED_WEIGHTS);
 * block 1 contributes nothing, so whichever key blocks MSA selects, the replay is the same.
 */
export const M3_SCRIPTED_HPARAMS = {
  nLayer: 2,
  nDenseLead: 1,
  nHead: 2,
  nHeadKv: 1,
  headDim: 128,
  nRot: 64,
  nExpert: 4,
  nExpertUsed: 2,
  nExpertShared: 1,
  nFf: 64,
  nFfExp: 32,
  expertWeightsScale: 2.0,
  contextLength: 8192,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
  indexer: { nHead: 1, headDim: 128, topK: 4, blockSize: 16, localBlocks: 1 },
} as const;

export interface M3ScriptedModel {
  readonly input: GgufFileInput;
  readonly vocab: ScriptedVocab;
  readonly hparams: M3Hparams;
  readonly segments: { readonly turn1: readonly string[]; readonly afterTool: readonly string[] };
}

/** The text of each token a scripted M3 model generates, per turn (EOS excluded). */
export function m3ScriptedSegments(scenario: M3ScriptedScenario): M3ScriptedModel["segments"] {
  const script = M3_SCRIPTS[scenario];
  const reserved = new Set<string>([...M3_SPECIALS.control, ...M3_SPECIALS.user]);
  const [turn1, afterTool] = toSegments([script.turn1, script.afterTool], reserved);
  if (!turn1 || !afterTool) throw new Error("unreachable");
  return { turn1, afterTool };
}

/**
 * A minimax-m3 GGUF the real engine replays `scenario` with (see SCRIPTED_WEIGHTS for the
 * Markov chain and the branch). Turn 1 starts from any of the prompt's possible last tokens:
 * `\n` (the default and adaptive prompts end at `]~b]ai\n`, the M2 renderer at `<think>\n`),
 * `<mm:think>` (thinking enabled) and `</mm:think>` (disabled); each of them also queries the
 * branch, so a tool response in context switches to the after-tool script in every mode.
 */
export function buildM3ScriptedModel(scenario: M3ScriptedScenario, chatTemplate: string, generalName = `m3-scripted-${scenario}`): M3ScriptedModel {
  const { turn1, afterTool } = m3ScriptedSegments(scenario);
  const vocab = buildScriptedVocab([...turn1, ...afterTool], M3_SPECIALS);
  const nVocab = vocab.tokens.length;
  const flag = nVocab; // the first residual dim past the one-hot block
  const nEmbd = Math.ceil((nVocab + 1) / 32) * 32;
  const hparams: M3Hparams = { ...M3_SCRIPTED_HPARAMS, nEmbd };
  const ids = (segs: readonly string[]) => segs.map((s) => vocab.segmentIds.get(s) ?? -1);
  const starts = [10, vocab.idOf("<mm:think>"), vocab.idOf("</mm:think>")]; // byte tokens: id = byte
  const response = vocab.idOf("<response>");
  const output = outputMatrix(vocab.eos, ids(turn1), ids(afterTool), starts, flag);

  const { branchDim, queryGain } = SCRIPTED_WEIGHTS;
  const tensorFor = (spec: M3TensorSpec): GgufTensorInput => {
    const [cols = 1, rows = 1] = spec.shape;
    const base = { name: spec.name, shape: spec.shape };
    const layer0 = spec.layer === 0;
    switch (spec.role) {
      case "token_embd":
        return { ...base, type: "F16", data: fromRows("F16", cols, rows, (r, out) => { out[r] = 1; }) };
      case "output":
        return { ...base, type: "Q8_0", data: fromRows("Q8_0", cols, rows, sparseFill(output)) };
      case "output_norm": case "attn_norm": case "ffn_norm": case "attn_k_norm": case "indexer_q_norm": case "indexer_k_norm":
        return { ...base, type: "F32", data: filled("F32", cols, 1) };
      case "attn_q_norm":
        // per head: every head gets the same gain, only head 0 has a nonzero query
        return { ...base, type: "F32", data: fromRows("F32", cols, 1, (_, out) => { out.fill(1); out[branchDim] = queryGain; }) };
      case "attn_q":
        if (!layer0) break;
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(new Map([[branchDim, starts.map((s) => [s, 1] as [number, number])]]))) };
      case "attn_k":
        if (!layer0) break;
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(new Map([[branchDim, [[response, 1]]]]))) };
      case "attn_v":
        if (!layer0) break;
        // attn_norm scales the one-hot to √n_embd; this brings V back to exactly 1
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(new Map([[0, [[response, 1 / Math.sqrt(nEmbd)]]]]))) };
      case "attn_output":
        if (!layer0) break;
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(new Map([[flag, [[0, 1]]]]))) };
      default:
        break;
    }
    // everything else is zero: no attention output in block 1, no FFN, expert or indexer weight contributes
    return { ...base, type: "F32", data: "zeros" };
  };

  const tensors = m3TensorTable(hparams, nVocab).map(tensorFor);
  const metadata = [
    ...m3Metadata(hparams, generalName),
    ...tokenizerMetadata(vocab, chatTemplate),
    // llama_ftype ALL_F32: most bytes are F32 (token_embd is F16, output.weight Q8_0)
    kv.u32("general.file_type", 0),
  ];
  return { input: { kv: metadata, tensors }, vocab, hparams, segments: { turn1, afterTool } };
}
