import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gpt2TokenText } from "./gpt2-bytes";
import { kv } from "./gguf-values";
import { M2_REAL, m2Metadata, m2TensorTable } from "./m2-arch";
import { M2_HEADER_QUANTS, m2TensorType, type M2HeaderQuant } from "./m2-quant-mix";
import { buildScriptedVocab, M2_SPECIALS, tokenizerMetadata, type SpecialTokens } from "./m2-vocab";
import { writeGguf, type GgufLayout } from "./writer";

export { M2_HEADER_QUANTS, type M2HeaderQuant } from "./m2-quant-mix";

export const M2_VOCAB_SIZE = 200064;

const TEMPLATE_PATH = fileURLToPath(new URL("../../resources/minimax-m2.jinja", import.meta.url));

/** Byte tokens and a family's specials, then unique fillers up to the real vocab size (texts are placeholders). */
export function sizedScriptedVocab(size: number, specials: SpecialTokens = M2_SPECIALS) {
  const base = buildScriptedVocab([], specials);
  const tokens = [...base.tokens];
  const types = [...base.types];
  for (let i = tokens.length; i < size; i++) {
    tokens.push(gpt2TokenText(` tok${i}`));
    types.push(1);
  }
  return { ...base, tokens, types };
}

/**
 * A MiniMax-M2 GGUF with the real tensor table (62 layers, 256 experts,
 * vocab 200064) and per-tensor types of `quant`, whose data section is a
 * sparse hole: full apparent size (~138 GB for Q4_K_M), almost no disk.
 */
export async function writeM2HeaderOnly(path: string, quant: M2HeaderQuant): Promise<GgufLayout> {
  const h = M2_REAL;
  const vocab = sizedScriptedVocab(M2_VOCAB_SIZE);
  const tensors = m2TensorTable(h, M2_VOCAB_SIZE).map((spec) => ({
    name: spec.name,
    shape: spec.shape,
    type: m2TensorType(quant, spec, h.nLayer),
  }));
  return writeGguf(
    path,
    {
      kv: [
        ...m2Metadata(h, `MiniMax-M2 ${quant} (header only)`),
        kv.u32("general.file_type", M2_HEADER_QUANTS[quant]),
        kv.u32("general.quantization_version", 2),
        ...tokenizerMetadata(vocab, await readFile(TEMPLATE_PATH, "utf8")),
      ],
      tensors,
    },
    { sparse: true },
  );
}
