/** One GGUF tensor as the planner sees it: where it belongs and how big it is. */
export interface PlannerTensor {
  readonly name: string;
  readonly ggmlType?: string;
  readonly bytes: number;
  /** Block index from `blk.N.`; null for token_embd, output, output_norm and other globals. */
  readonly layer: number | null;
  /** Routed expert weights (`ffn_{gate,up,down}_exps`): only expertsUsed/expertCount of them are read per token. */
  readonly isExpert: boolean;
}

/**
 * Rows of the plan's table. `input` is token_embd, which llama.cpp always keeps on the CPU;
 * `attention` holds the rest of a block's dense tensors (attn_*, ffn_norm).
 */
export type TensorGroup = "input" | "attention" | "router" | "experts" | "output";

const layerRe = /^blk\.(\d+)\./;
// Same family as llama.cpp's LLM_FFN_EXPS_REGEX; shared experts (`_shexp`) are always read, so not experts here.
const expertRe = /\.ffn_(up|down|gate|gate_up)_(ch|)exps(\.|$)/;

/**
 * A block's attention and MSA indexer projections (after `blk\.N`): what the planner moves to RAM, the
 * block's KV cache staying on its GPU, so that dense blocks need not leave the GPU (search.ts).
 */
export const ATTENTION_SUFFIX = String.raw`\.(attn_(q|k|v|output)|indexer\.(q|k)_proj)\.weight`;
const attentionProjRe = new RegExp(ATTENTION_SUFFIX + "$");

export function tensorLayer(name: string): number | null {
  const m = layerRe.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export function isExpertTensor(name: string): boolean {
  return expertRe.test(name);
}

export function isAttentionProjection(name: string): boolean {
  return attentionProjRe.test(name);
}

/** Builds a PlannerTensor from a name and size, deriving layer and isExpert from the name. */
export function plannerTensor(name: string, bytes: number, ggmlType?: string): PlannerTensor {
  const t = { name, bytes, layer: tensorLayer(name), isExpert: isExpertTensor(name) };
  return ggmlType === undefined ? t : { ...t, ggmlType };
}

export function plannerTensors(list: readonly { name: string; bytes: number; ggmlType?: string }[]): PlannerTensor[] {
  return list.map((t) => plannerTensor(t.name, t.bytes, t.ggmlType));
}

export function tensorGroup(t: PlannerTensor): TensorGroup {
  if (t.isExpert) return "experts";
  if (t.layer === null) return t.name.startsWith("token_embd") ? "input" : "output";
  const rest = t.name.slice(t.name.indexOf(".", 4) + 1);
  if (rest.startsWith("ffn_gate_inp") || rest.startsWith("exp_probs_b")) return "router";
  return "attention";
}

/** token_embd is a row lookup: one row per token is read, not the whole tensor. */
export function isInputTensor(t: PlannerTensor): boolean {
  return t.layer === null && t.name.startsWith("token_embd");
}
