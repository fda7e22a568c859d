import type { ModelDims } from "./hparams-check";
import { modelInvalid } from "./model-invalid";
import type { GgufHeader, GgufTensorInfo } from "./reader";

const GGML_MAX_DIMS = 4;

/** Every tensor models/minimax-m2.cpp creates, with the shape it asks for (ggml order). */
function m2Expected(d: ModelDims, nVocab: number): Map<string, number[]> {
  const q = d.keyLength * d.nHead;
  const kvK = d.keyLength * d.nHeadKv;
  const kvV = d.valueLength * d.nHeadKv;
  const e = d.nEmbd;
  const out = new Map<string, number[]>([
    ["token_embd.weight", [e, nVocab]],
    ["output_norm.weight", [e]],
    ["output.weight", [e, nVocab]],
  ]);
  for (let i = 0; i < d.nLayer; i++) {
    const t = (suffix: string, shape: number[]) => out.set(`blk.${i}.${suffix}`, shape);
    t("attn_q.weight", [e, q]);
    // create_tensor_qkv(…, n_embd_gqa, n_embd_gqa): K and V both sized from the value heads
    t("attn_k.weight", [e, kvV]);
    t("attn_v.weight", [e, kvV]);
    t("attn_output.weight", [q, e]);
    t("attn_norm.weight", [e]);
    t("attn_q_norm.weight", [q]);
    t("attn_k_norm.weight", [kvK]);
    t("ffn_norm.weight", [e]);
    t("ffn_gate_inp.weight", [e, d.nExpert]);
    t("ffn_gate_exps.weight", [e, d.nFf, d.nExpert]);
    t("ffn_down_exps.weight", [d.nFf, e, d.nExpert]);
    t("ffn_up_exps.weight", [e, d.nFf, d.nExpert]);
    t("exp_probs_b.bias", [d.nExpert]);
  }
  return out;
}

const padded = (shape: readonly number[]) => Array.from({ length: GGML_MAX_DIMS }, (_, i) => shape[i] ?? 1);
const sameShape = (a: readonly number[], b: readonly number[]) => padded(a).every((n, i) => n === padded(b)[i]);

/** Every tensor in `parts` by name, with the part holding it. */
export function tensorsByName(parts: readonly GgufHeader[]): Map<string, { part: GgufHeader; tensor: GgufTensorInfo }> {
  const byName = new Map<string, { part: GgufHeader; tensor: GgufTensorInfo }>();
  for (const part of parts) for (const tensor of part.tensors) byName.set(tensor.name, { part, tensor });
  return byName;
}

/** Each of `expected` present in `parts` with its shape, else model_invalid "tensor_shape_invalid" naming `arch`'s loader. */
export function checkExpectedTensors(parts: readonly GgufHeader[], arch: string, expected: ReadonlyMap<string, readonly number[]>): void {
  const byName = tensorsByName(parts);
  const first = parts[0];
  if (!first) return;
  for (const [name, shape] of expected) {
    const found = byName.get(name);
    if (!found) tensorShapeInvalid(first.path, name, `is missing: the ${arch} loader needs it`);
    else if (!sameShape(found.tensor.shape, shape)) {
      tensorShapeInvalid(found.part.path, name, `has shape [${found.tensor.shape.join(", ")}], the hyper-parameters need [${shape.join(", ")}]`, {
        shape: found.tensor.shape,
        expected: shape,
      });
    }
  }
}

export function tensorShapeInvalid(path: string, tensor: string, why: string, extra: Record<string, unknown> = {}): never {
  throw modelInvalid(path, "tensor_shape_invalid", `${path}: tensor ${tensor} ${why}`, { tensor, ...extra });
}

/**
 * The minimax-m2 tensors llama.cpp will create, each present with the shape the
 * hyper-parameters imply. Its own shape check does not run on every path (a
 * mismatch has aborted at the first token), and its graph reads attn_q/k/v
 * directly, so a fused attn_qkv would be a null tensor there.
 */
export function checkM2Tensors(parts: readonly GgufHeader[], dims: ModelDims, nVocab: number): void {
  checkExpectedTensors(parts, "minimax-m2", m2Expected(dims, nVocab));
  for (const [name, { part }] of tensorsByName(parts)) {
    if (/^blk\.\d+\.attn_qkv\.weight$/.test(name)) tensorShapeInvalid(part.path, name, "is fused Q/K/V, which the minimax-m2 graph does not read");
  }
}
