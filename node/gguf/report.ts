import { fileTypeName } from "./ggml-types";
import { metaArrayLength, metaNumber, metaNumberOrFirst, metaString, type GgufMetadata } from "./gguf-values";
import type { SparseAttentionDims } from "../../app/planner/m3-shapes";
import { M3_ARCH } from "./m3-arch";
import type { GgufHeader } from "./reader";
import { validateModel } from "./validate";

export interface TensorReport {
  readonly name: string;
  /** ggml type name, e.g. "Q4_K". */
  readonly type: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly byteSize: number;
  /** Index into `parts` and absolute offset in that file. */
  readonly part: number;
  readonly fileOffset: number;
  /** N for `blk.N.*`, null for embeddings, output and other globals. */
  readonly layer: number | null;
  /** Routed expert weights (`blk.N.ffn_{gate,up,down}_exps.weight`), the bulk an offload planner moves. */
  readonly isExpert: boolean;
}

export interface PartReport {
  readonly path: string;
  readonly fileSize: number;
  readonly tensorCount: number;
}

export interface ModelReport {
  /** The file to hand to llama.cpp (the first part of a split model). */
  readonly path: string;
  readonly architecture: string;
  readonly isTarget: boolean;
  readonly name: string | null;
  /** From general.file_type, else the type holding most bytes (`guessed: true`). */
  readonly quantization: { readonly name: string; readonly fileType: number | null; readonly guessed: boolean };
  readonly parameterCount: number;
  readonly tensorBytes: number;
  readonly fileSizeTotal: number;
  readonly parts: readonly PartReport[];
  readonly layerCount: number | null;
  readonly contextLength: number | null;
  readonly embeddingLength: number | null;
  readonly headCount: number | null;
  readonly headCountKv: number | null;
  readonly expertCount: number | null;
  readonly expertUsedCount: number | null;
  readonly vocabSize: number | null;
  readonly chatTemplate: string | null;
  readonly hasChatTemplate: boolean;
  readonly tensors: readonly TensorReport[];
  /** minimax-m3 only: MiniMax Sparse Attention, which gives its KV cache an indexer cache. */
  readonly sparseAttention?: SparseAttentionDims;
}

/** The MSA keys of a minimax-m3 header (the validator has checked them). */
function sparseAttention(meta: GgufMetadata, arch: string): SparseAttentionDims | undefined {
  if (arch !== M3_ARCH) return undefined;
  const n = (key: string) => metaNumber(meta, `${arch}.${key}`) ?? 0;
  return {
    denseBlocks: n("leading_dense_block_count"),
    indexerHeads: n("attention.indexer.head_count"),
    indexerKeyLength: n("attention.indexer.key_length"),
    topK: n("attention.indexer.top_k"),
    blockSize: n("attention.indexer.block_size"),
  };
}

const LAYER = /^blk\.(\d+)\./;
const EXPERT = /^blk\.\d+\.ffn_(gate|up|down)_exps\.weight$/;

function quantization(meta: GgufMetadata, tensors: readonly TensorReport[]): ModelReport["quantization"] {
  const fileType = metaNumber(meta, "general.file_type");
  const named = fileType === undefined ? undefined : fileTypeName(fileType);
  if (fileType !== undefined && named) return { name: named, fileType, guessed: false };
  const bytesByType = new Map<string, number>();
  for (const t of tensors) bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.byteSize);
  const top = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0];
  return { name: top?.[0] ?? "unknown", fileType: fileType ?? null, guessed: true };
}

function tensorReports(parts: readonly GgufHeader[]): TensorReport[] {
  return parts.flatMap((part, partIndex) =>
    part.tensors.map((t) => {
      const layer = LAYER.exec(t.name)?.[1];
      return {
        name: t.name,
        type: t.type.name,
        shape: t.shape,
        elements: t.elements,
        byteSize: t.byteSize,
        part: partIndex,
        fileOffset: part.dataOffset + t.offset,
        layer: layer === undefined ? null : Number(layer),
        isExpert: EXPERT.test(t.name),
      };
    }),
  );
}

/** Validates the model (throws model_invalid like validateModel) and describes it from its headers. */
export async function inspectModel(path: string): Promise<ModelReport> {
  const model = await validateModel(path);
  const first = model.parts[0];
  if (!first) throw new Error("unreachable: no parts");
  const meta = first.metadata;
  const arch = model.architecture;
  const num = (key: string) => metaNumberOrFirst(meta, `${arch}.${key}`) ?? null;
  const tensors = tensorReports(model.parts);
  const chatTemplate = metaString(meta, "tokenizer.chat_template") ?? null;
  const msa = sparseAttention(meta, arch);
  return {
    path: model.loadPath,
    architecture: arch,
    isTarget: model.isTarget,
    name: metaString(meta, "general.name") ?? null,
    quantization: quantization(meta, tensors),
    parameterCount: tensors.reduce((n, t) => n + t.elements, 0),
    tensorBytes: tensors.reduce((n, t) => n + t.byteSize, 0),
    fileSizeTotal: model.parts.reduce((n, p) => n + p.fileSize, 0),
    parts: model.parts.map((p) => ({ path: p.path, fileSize: p.fileSize, tensorCount: p.tensors.length })),
    layerCount: num("block_count"),
    contextLength: num("context_length"),
    embeddingLength: num("embedding_length"),
    headCount: num("attention.head_count"),
    headCountKv: num("attention.head_count_kv"),
    expertCount: num("expert_count"),
    expertUsedCount: num("expert_used_count"),
    vocabSize: metaArrayLength(meta, "tokenizer.ggml.tokens") ?? null,
    chatTemplate,
    hasChatTemplate: chatTemplate !== null,
    tensors,
    ...(msa ? { sparseAttention: msa } : {}),
  };
}
