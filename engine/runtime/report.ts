import { basename } from "node:path";
import type { ModelReport } from "../../app/contract";
import { detectModelFamily } from "../../app/family";
import { classifyChatTemplate } from "../../app/family/template";
import { inspectModel, type ModelReport as GgufReport } from "../../node/gguf/report";
import { officialTemplate } from "./official-template";

/** The contract's model report: the GGUF's facts, which model family it is, and how its template compares with that family's. */
export function toContractReport(gguf: GgufReport): ModelReport {
  const embedded = gguf.chatTemplate ?? undefined;
  const detection = detectModelFamily(
    { architecture: gguf.architecture, name: gguf.name, chatTemplate: embedded, fileName: basename(gguf.path) },
    officialTemplate,
  );
  const chatTemplate = classifyChatTemplate(embedded, detection.family, detection.family ? officialTemplate(detection.family) : undefined);
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
    isM2: gguf.isTarget || (detection.id === "minimax-m2" && chatTemplate === "official"),
    family: detection.id,
    familyName: detection.displayName,
  };
}

export async function inspectForContract(path: string): Promise<{ report: ModelReport; gguf: GgufReport }> {
  const gguf = await inspectModel(path);
  return { report: toContractReport(gguf), gguf };
}
