import { kv } from "./gguf-values";
import { m2Metadata, m2TensorTable, type M2Hparams, type M2TensorSpec } from "./m2-arch";
import { SCRIPTS, type ScriptedScenario } from "./m2-scripts";
import { buildScriptedVocab, M2_CONTROL_TOKENS, M2_SPECIALS, M2_USER_TOKENS, tokenizerMetadata, type ScriptedVocab } from "./m2-vocab";
import { toSegments } from "./segments";
import { filled, fromRows } from "./tensor-data";
import type { GgufFileInput, GgufTensorInput } from "./writer";

/**
 * Weights that make the real engine replay a script.
 *
 * The residual stream is the one-hot token embedding (attn_output and
 * ffn_down_exps are zero), so logits depend on the last token only and
 * output.weight[next, cur] = TRANSITION is a Markov chain: the prompt's last
 * `\n` (after `<think>`) → segment 1 → … → EOS. After the final RMS norm the
 * one-hot has magnitude √n_embd, so the chosen logit beats the rest by
 * TRANSITION·√n_embd (≥ 178 here; output.weight is Q8_0, which is exact
 * enough at such margins): probability 1 at temperature 1.
 *
 * Branch: layer 0 head 0 uses dim 64 (past the 64 roped dims, NEOX rope
 * leaves it alone). The `\n` query and `<response>` keys meet there, so `\n`
 * attends to any tool response; V carries 1 into head dim 0, and attn_output
 * copies it into the spare residual dim FLAG. output[afterTool₁, FLAG] =
 * BRANCH outbids the turn-1 successor whenever a tool response is in context.
 */
export const SCRIPTED_WEIGHTS = {
  transition: 10,
  branch: 30,
  /** q_norm gain on the branch dim: the `\n`→`<response>` score is 16·10 = 160 vs 0 elsewhere. */
  queryGain: 10,
  branchDim: 64,
} as const;

/**
 * A verdict model's extra weights (Script.verdict), all in layer 1 (unused otherwise): head 0's `\n` query meets
 * `</think>` keys (VERDICT dim), head 1's meets the marker's (MARK dim). YES outbids turn 1's first token once
 * VERDICT is set, NO follows it by `noGap` (so p(YES) ≈ 0.78) and MARK adds `mark` to NO; a tool response's
 * branch (30) still wins over both, so an agent step after a tool never answers YES or NO.
 */
export const VERDICT_WEIGHTS = { yes: 20, noGap: 0.1, mark: 5, markDim: 65 } as const;

export const SCRIPTED_HPARAMS = {
  nLayer: 2,
  nHead: 2,
  nHeadKv: 1,
  headDim: 128,
  nRot: 64,
  nExpert: 4,
  nExpertUsed: 2,
  nFfExp: 32,
  contextLength: 8192,
  ropeFreqBase: 5_000_000,
  rmsEps: 1e-6,
} as const;

export interface ScriptedModel {
  readonly input: GgufFileInput;
  readonly vocab: ScriptedVocab;
  readonly hparams: M2Hparams;
  readonly segments: { readonly turn1: readonly string[]; readonly afterTool: readonly string[]; readonly branches?: readonly (readonly string[])[] };
}

type Fill = (row: number, out: Float32Array) => void;

/** Sparse weight matrix as {outputRow → [[inputCol, value]]}. */
export type Sparse = Map<number, [number, number][]>;

export function addEntry(m: Sparse, row: number, col: number, value: number): void {
  const entries = m.get(row) ?? [];
  entries.push([col, value]);
  m.set(row, entries);
}

export const sparseFill = (m: Sparse): Fill => (row, out) => {
  for (const [col, value] of m.get(row) ?? []) out[col] = value;
};

/**
 * output.weight of a scripted model: each of `starts` (the prompt's possible last tokens) → turn 1's
 * first token, the FLAG dim → the after-tool script's first token, then each token → its successor → EOS.
 */
export function outputMatrix(eos: number, turn1: readonly number[], afterTool: readonly number[], starts: readonly number[], flag: number): Sparse {
  const { transition, branch } = SCRIPTED_WEIGHTS;
  const m: Sparse = new Map();
  const chain = (first: number, fromCols: readonly number[], weight: number, rest: readonly number[]) => {
    for (const col of fromCols) addEntry(m, first, col, weight);
    const all = [first, ...rest, eos];
    for (let i = 0; i + 1 < all.length; i++) addEntry(m, all[i + 1] ?? eos, all[i] ?? eos, transition);
  };
  const [a0, ...aRest] = turn1;
  const [b0, ...bRest] = afterTool;
  if (a0 === undefined || b0 === undefined) throw new Error("empty script");
  chain(a0, starts, transition, aRest);
  chain(b0, [flag], branch, bRest);
  return m;
}

/** The text of each token a scripted model generates, per turn (EOS excluded). */
export function scriptedSegments(scenario: ScriptedScenario): ScriptedModel["segments"] {
  const script = SCRIPTS[scenario];
  const reserved = new Set<string>([...M2_CONTROL_TOKENS, ...M2_USER_TOKENS]);
  const extra = [...(script.branches ?? []), ...(script.verdict ? [[script.verdict.yes], [script.verdict.no]] : [])];
  const [turn1, afterTool, ...rest] = toSegments([script.turn1, script.afterTool, ...extra], reserved);
  if (!turn1 || !afterTool) throw new Error("unreachable");
  if (!script.branches) return { turn1, afterTool };
  return { turn1, afterTool, branches: rest.slice(0, script.branches.length) };
}

export function buildScriptedModel(scenario: ScriptedScenario, chatTemplate: string, generalName = `m2-scripted-${scenario}`): ScriptedModel {
  const { turn1, afterTool, branches } = scriptedSegments(scenario);
  const { verdict } = SCRIPTS[scenario];
  const answers = verdict ? [verdict.yes, verdict.no] : [];
  const specials = verdict ? { ...M2_SPECIALS, user: [...M2_SPECIALS.user, verdict.marker] } : M2_SPECIALS;
  const vocab = buildScriptedVocab([...turn1, ...afterTool, ...(branches ?? []).flat(), ...answers], specials);
  const nVocab = vocab.tokens.length;
  const flag = nVocab; // the first residual dim past the one-hot block
  const verdictDim = flag + 1;
  const markDim = flag + 2;
  const nEmbd = Math.ceil((nVocab + (verdict ? 3 : 1)) / 32) * 32;
  const hparams: M2Hparams = { ...SCRIPTED_HPARAMS, nEmbd };
  const ids = (segs: readonly string[]) => segs.map((s) => vocab.segmentIds.get(s) ?? -1);
  const newline = 10; // byte tokens: id = byte
  const response = vocab.idOf("<response>");
  const output = outputMatrix(vocab.eos, ids(turn1), ids(afterTool), [newline], flag);
  if (branches) addBranches(output, vocab.eos, ids(turn1).at(-1) ?? -1, branches.map(ids));
  const headDim = SCRIPTED_HPARAMS.headDim;
  const thinkEnd = vocab.idOf("</think>");
  const marker = verdict ? vocab.idOf(verdict.marker) : -1;
  if (verdict) {
    const { yes, noGap, mark } = VERDICT_WEIGHTS;
    const [yesId = -1, noId = -1] = ids(answers);
    addEntry(output, yesId, verdictDim, yes);
    addEntry(output, noId, verdictDim, yes - noGap);
    addEntry(output, noId, markDim, mark);
    for (const id of [yesId, noId]) addEntry(output, vocab.eos, id, SCRIPTED_WEIGHTS.transition);
  }
  const { markDim: markHeadDim } = VERDICT_WEIGHTS;
  const layer1 = (spec: M2TensorSpec, cols: number, rows: number): GgufTensorInput | undefined => {
    const base = { name: spec.name, shape: spec.shape };
    const f32 = (m: Sparse): GgufTensorInput => ({ ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(m)) });
    const scale = 1 / Math.sqrt(nEmbd);
    switch (spec.role) {
      case "attn_q":
        return f32(new Map([[SCRIPTED_WEIGHTS.branchDim, [[newline, 1]]], [headDim + markHeadDim, [[newline, 1]]]]));
      case "attn_k":
        return f32(new Map([[SCRIPTED_WEIGHTS.branchDim, [[thinkEnd, 1]]], [markHeadDim, [[marker, 1]]]]));
      case "attn_v":
        return f32(new Map([[0, [[thinkEnd, scale]]], [1, [[marker, scale]]]]));
      case "attn_output":
        return f32(new Map([[verdictDim, [[0, 1]]], [markDim, [[headDim + 1, 1]]]]));
      case "attn_q_norm":
        return { ...base, type: "F32", data: fromRows("F32", cols, 1, (_, out) => { out.fill(1); out[SCRIPTED_WEIGHTS.branchDim] = SCRIPTED_WEIGHTS.queryGain; out[headDim + markHeadDim] = SCRIPTED_WEIGHTS.queryGain; }) };
      default:
        return undefined;
    }
  };

  const { branchDim, queryGain } = SCRIPTED_WEIGHTS;
  const tensorFor = (spec: M2TensorSpec): GgufTensorInput => {
    const [cols = 1, rows = 1] = spec.shape;
    const base = { name: spec.name, shape: spec.shape };
    const layer0 = spec.layer === 0;
    const verdictTensor = verdict && spec.layer === 1 ? layer1(spec, cols, rows) : undefined;
    if (verdictTensor) return verdictTensor;
    switch (spec.role) {
      case "token_embd":
        return { ...base, type: "F16", data: fromRows("F16", cols, rows, (r, out) => { out[r] = 1; }) };
      case "output":
        return { ...base, type: "Q8_0", data: fromRows("Q8_0", cols, rows, sparseFill(output)) };
      case "output_norm": case "attn_norm": case "ffn_norm": case "attn_k_norm":
        return { ...base, type: "F32", data: filled("F32", cols, 1) };
      case "attn_q_norm":
        return { ...base, type: "F32", data: fromRows("F32", cols, 1, (_, out) => { out.fill(1); out[branchDim] = queryGain; }) };
      case "attn_q":
        if (!layer0) break;
        return { ...base, type: "F32", data: fromRows("F32", cols, rows, sparseFill(new Map([[branchDim, [[newline, 1]]]]))) };
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
    // everything else is zero: no attention in layer 1, no expert contributes anything
    return { ...base, type: "F32", data: "zeros" };
  };

  const tensors = m2TensorTable(hparams, nVocab).map(tensorFor);
  const metadata = [
    ...m2Metadata(hparams, generalName),
    ...tokenizerMetadata(vocab, chatTemplate),
    // llama_ftype ALL_F32: most bytes are F32 (token_embd is F16, output.weight Q8_0)
    kv.u32("general.file_type", 0),
  ];
  return { input: { kv: metadata, tensors }, vocab, hparams, segments: { turn1, afterTool, ...(branches ? { branches } : {}) } };
}

/** Turn 1's last token goes on to each branch's first token (tied) instead of EOS; each branch then runs to EOS. */
function addBranches(m: Sparse, eos: number, last: number, branches: readonly (readonly number[])[]): void {
  m.set(eos, (m.get(eos) ?? []).filter(([col]) => col !== last));
  for (const branch of branches) {
    const all = [last, ...branch, eos];
    for (let i = 0; i + 1 < all.length; i++) addEntry(m, all[i + 1] ?? eos, all[i] ?? eos, SCRIPTED_WEIGHTS.transition);
  }
}
