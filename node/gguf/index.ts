/** Production API of node/gguf. Test-model generators live in m2-test-models.ts and stay out of here. */
export { readGgufHeader, type GgufHeader, type GgufTensorInfo } from "./reader";
export { validateModel, type ValidatedModel } from "./validate";
export { inspectModel, type ModelReport, type PartReport, type TensorReport } from "./report";
export { modelInvalid, modelInvalidReason, type ModelInvalidDetails, type ModelInvalidReason } from "./model-invalid";
export { writeGguf, layoutGguf, type GgufFileInput, type GgufTensorInput, type GgufWriteOptions, type GgufLayout, type TensorData } from "./writer";
export { writeGgufSplit, parseSplitName, splitPartPath, type SplitName } from "./split";
export { kv, metaNumber, metaString, type GgufKv, type GgufValue, type GgufMetadata } from "./gguf-values";
export { ggmlType, ggmlTypeByName, tensorByteSize, fileTypeName, type GgmlTypeInfo } from "./ggml-types";
export { SUPPORTED_ARCHITECTURES, TARGET_ARCHITECTURE, isSupportedArchitecture } from "./llama-archs";
