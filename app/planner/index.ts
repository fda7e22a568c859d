/** Expert-offload load planner: which tensors go where, what it costs, how fast it can decode. */
export { planLoad, requireFit, tensorBufferOverrides, nCpuMoeEquivalent } from "./plan";
export { formatPlan } from "./format";
export { plannerTensor, plannerTensors, tensorLayer, isExpertTensor, tensorGroup } from "./tensors";
export type { PlannerTensor, TensorGroup } from "./tensors";
export { expertOverrides, nCpuMoeOverrides, compileOverrides } from "./overrides";
export { gpuBandwidth, hostBandwidth } from "./bandwidth";
export { kvBytesPerElement, kvBytesPerTokenLayer } from "./buffers";
export { tensorBytes, bitsPerWeight } from "./ggml-sizes";
export * as plannerConstants from "./constants";
export type * from "./types";
export { CPU } from "./types";
