import type { ModelReport } from "../../app/contract";
import { classifyChatTemplate } from "../../app/m2/template-detect";
import { inspectModel, type ModelReport as GgufReport } from "../../node/gguf/report";
import { officialM2Template } from "./official-template";

/** The contract's model report: the GGUF's facts plus how its chat template compares with M2's. */
export function toContractReport(gguf: GgufReport): ModelReport {
  const chatTemplate = classifyChatTemplate(gguf.chatTemplate ?? undefined, officialM2Template());
  return {
    path: gguf.path,
    name: gguf.name,
    architecture: gguf.architecture,
    quantization: gguf.quantization.name,
    parameterCount: gguf.parameterCount,
    layerCount: gguf.layerCount,
    expertCount: gguf.expertCount,
    expertUsedCount: gguf.expertUsedCount,
    contextLength: gguf.contextLength,
    embeddingLength: gguf.embeddingLength,
    headCount: gguf.headCount,
    headCountKv: gguf.headCountKv,
    fileSizeBytes: gguf.fileSizeTotal,
    parts: gguf.parts.map((p) => ({ path: p.path, sizeBytes: p.fileSize })),
    chatTemplate,
    isM2: gguf.isTarget || chatTemplate === "official",
  };
}

export async function inspectForContract(path: string): Promise<{ report: ModelReport; gguf: GgufReport }> {
  const gguf = await inspectModel(path);
  return { report: toContractReport(gguf), gguf };
}
