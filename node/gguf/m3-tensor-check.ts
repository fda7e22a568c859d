import type { ModelDims } from "./hparams-check";
import { M3_ARCH, m3TensorTable, type M3Hparams } from "./m3-arch";
import { checkExpectedTensors, tensorsByName } from "./m2-tensor-check";
import type { GgufHeader } from "./reader";

/** The dims m3TensorTable needs, from what the validator read (values the shapes do not use are zero). */
function tableHparams(d: ModelDims): M3Hparams | null {
  if (!d.m3) return null;
  return {
    nLayer: d.nLayer,
    nDenseLead: d.m3.nDenseLead,
    nEmbd: d.nEmbd,
    nHead: d.nHead,
    nHeadKv: d.nHeadKv,
    headDim: d.keyLength,
    nRot: 0,
    nExpert: d.nExpert,
    nExpertUsed: 0,
    nExpertShared: d.m3.nExpertShared,
    nFf: d.nFf,
    nFfExp: d.m3.nFfExp,
    expertWeightsScale: 0,
    contextLength: 0,
    ropeFreqBase: 0,
    rmsEps: 0,
    indexer: { nHead: d.m3.indexerHeads, headDim: d.m3.indexerKeyLength, topK: 0, blockSize: 0, localBlocks: 0 },
  };
}

/**
 * The minimax-m3 tensors llama.cpp's loader creates (the same table the generators write), each
 * present with the shape the hyper-parameters imply: dense FFN in the leading blocks; router,
 * routed and shared experts and the MSA indexer in the others. A block may hold a fused
 * attn_qkv instead of Q, K and V (create_tensor_qkv takes either; build_qkv reads either).
 */
export function checkM3Tensors(parts: readonly GgufHeader[], dims: ModelDims, nVocab: number): void {
  const h = tableHparams(dims);
  if (!h) return;
  const byName = tensorsByName(parts);
  const expected = new Map<string, readonly number[]>();
  const q = h.headDim * h.nHead;
  const kv = h.headDim * h.nHeadKv;
  for (const spec of m3TensorTable(h, nVocab)) {
    const fused = spec.layer !== null && byName.has(`blk.${spec.layer}.attn_qkv.weight`);
    if (fused && (spec.role === "attn_q" || spec.role === "attn_k" || spec.role === "attn_v")) {
      if (spec.role === "attn_q") expected.set(`blk.${spec.layer}.attn_qkv.weight`, [h.nEmbd, q + 2 * kv]);
      continue;
    }
    expected.set(spec.name, spec.shape);
  }
  checkExpectedTensors(parts, M3_ARCH, expected);
}
