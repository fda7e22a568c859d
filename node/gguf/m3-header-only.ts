import { M3_FILE_TYPES, m3TensorType, type M3Quant } from "../../app/planner/m3-shapes";
import { kv } from "./gguf-values";
import { sizedScriptedVocab } from "./m2-header-only";
import { M3_REAL, M3_VOCAB_SIZE, m3Metadata, m3TensorTable } from "./m3-arch";
import { M3_SPECIALS } from "./m3-scripted-model";
import { readM3ChatTemplate } from "./m3-test-models";
import { tokenizerMetadata } from "./m2-vocab";
import { writeGguf, type GgufLayout } from "./writer";

export { m3Quants, type M3Quant } from "../../app/planner/m3-shapes";

/**
 * A MiniMax-M3 GGUF with the real tensor table (60 blocks: 3 dense, 57 MoE with 128 experts, a
 * shared expert and the MSA indexer; vocab 200064) and per-tensor types of `quant`, whose data
 * section is a sparse hole: full apparent size (~260 GB for Q4_K_M), almost no disk.
 */
export async function writeM3HeaderOnly(path: string, quant: M3Quant): Promise<GgufLayout> {
  const h = M3_REAL;
  const vocab = sizedScriptedVocab(M3_VOCAB_SIZE, M3_SPECIALS);
  const tensors = m3TensorTable(h, M3_VOCAB_SIZE).map((spec) => ({ name: spec.name, shape: spec.shape, type: m3TensorType(quant, spec, h.nLayer) }));
  return writeGguf(
    path,
    {
      kv: [
        ...m3Metadata(h, `MiniMax-M3 ${quant} (header only)`),
        kv.u32("general.file_type", M3_FILE_TYPES[quant]),
        kv.u32("general.quantization_version", 2),
        ...tokenizerMetadata(vocab, await readM3ChatTemplate()),
      ],
      tensors,
    },
    { sparse: true },
  );
}
