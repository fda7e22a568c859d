import { modelInvalid } from "./model-invalid";
import type { GgufHeader } from "./reader";

/**
 * Types ggml's CPU backend has no dot product for (type_traits_cpu without
 * vec_dot): a weight stored in one of them is multiplied through a null
 * function pointer or an abort. Q8_1 and Q8_K are only ever activations.
 */
const NOT_A_WEIGHT_TYPE = new Set(["I8", "I16", "I32", "I64", "F64", "Q8_1", "Q8_K"]);

/** Norm weights and biases feed element-wise ops, which the CPU backend computes in F32 only. */
function mustBeF32(name: string, shape: readonly number[]): boolean {
  return shape.filter((d) => d !== 1).length <= 1 || /_norm\.weight$/.test(name) || name.endsWith(".bias");
}

/** Refuses a tensor whose stored type its role cannot compute with, before llama.cpp aborts on it mid-graph. */
export function checkTensorTypes(parts: readonly GgufHeader[]): void {
  for (const part of parts) {
    for (const t of part.tensors) {
      const fail = (why: string): never => {
        throw modelInvalid(part.path, "tensor_type_invalid", `${part.path}: tensor ${t.name} is stored as ${t.type.name}; ${why}`, {
          tensor: t.name,
          type: t.type.name,
        });
      };
      if (mustBeF32(t.name, t.shape)) {
        if (t.type.name !== "F32") fail("norms, biases and other vectors must be F32");
      } else if (NOT_A_WEIGHT_TYPE.has(t.type.name)) {
        fail("a weight matrix must be a float or quantized type");
      }
    }
  }
}
