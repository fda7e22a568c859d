import { AppError } from "../../app/contract/errors";
import { plannerTensors, type PlannerModel } from "../../app/planner";
import { sparseAttentionKvCache } from "../../app/planner/m3-shapes";
import type { ModelReport } from "./report";

/** The planner's view of a GGUF, from its header alone (no weights are read). */
export function plannerModel(report: ModelReport): PlannerModel {
  const layers = report.layerCount;
  const kvHeads = report.headCountKv;
  if (!layers || !kvHeads || !report.headCount) {
    throw new AppError("model_invalid", "The GGUF lacks the layer or head counts a load plan needs.", { path: report.path });
  }
  // Head dims from the projections themselves: M2's differ from n_embd / n_head.
  const shapeOf = (suffix: string) => report.tensors.find((t) => t.name === `blk.0.${suffix}`)?.shape;
  const kDim = (shapeOf("attn_k.weight")?.[1] ?? report.embeddingLength ?? 0) / kvHeads;
  const vDim = (shapeOf("attn_v.weight")?.[1] ?? report.embeddingLength ?? 0) / kvHeads;
  const msa = report.sparseAttention;
  const kvCache: PlannerModel["kvCache"] = { layers, kvHeads, headDimK: kDim, headDimV: vDim };
  return {
    name: report.name ?? report.path.split(/[\\/]/).pop() ?? "model",
    quant: report.quantization.name,
    tensors: plannerTensors(report.tensors.map((t) => ({ name: t.name, bytes: t.byteSize, ggmlType: t.type }))),
    layers,
    expertCount: report.expertCount ?? 0,
    expertsUsed: report.expertUsedCount ?? 0,
    heads: report.headCount,
    kvCache: msa ? sparseAttentionKvCache(kvCache, msa) : kvCache,
    ...(report.vocabSize ? { vocab: report.vocabSize } : {}),
    ...(report.contextLength ? { trainedContext: report.contextLength } : {}),
  };
}
