/** Tensor buffer overrides (llama.cpp `-ot pattern=CPU`): generating them, and reading the user's. */
import { AppError } from "../contract/errors";
import { ATTENTION_SUFFIX } from "./tensors";
import type { TensorBufferOverride } from "./types";

/** llama.cpp's LLM_FFN_EXPS_REGEX, which --n-cpu-moe prefixes with `blk\.N`. */
export const EXPS_SUFFIX = String.raw`\.ffn_(up|down|gate|gate_up)_(ch|)exps`;

/** One pattern for the tensors `suffix` names in `layers`; `blk\.(0|1)\.` cannot match blk.10 or blk.61. */
function blockOverrides(layers: readonly number[], suffix: string): TensorBufferOverride[] {
  if (layers.length === 0) return [];
  const sorted = [...new Set(layers)].sort((a, b) => a - b);
  return [{ pattern: String.raw`blk\.(${sorted.join("|")})` + suffix, device: "CPU" }];
}

/** The routed experts of `layers` in RAM. */
export function expertOverrides(layers: readonly number[]): TensorBufferOverride[] {
  return blockOverrides(layers, EXPS_SUFFIX);
}

/** The attention projections of `layers` in RAM, their KV cache still on the block's GPU. */
export function attentionOverrides(layers: readonly number[]): TensorBufferOverride[] {
  return blockOverrides(layers, ATTENTION_SUFFIX);
}

/** What --n-cpu-moe N puts in RAM. */
export function nCpuMoeOverrides(n: number): TensorBufferOverride[] {
  return expertOverrides(Array.from({ length: n }, (_, i) => i));
}

export interface CompiledOverride {
  readonly pattern: string;
  readonly regex: RegExp;
}

/**
 * Parses user patterns. An entry is `regex=CPU` or a bare regex (meaning CPU); an entry with `=`
 * may hold a comma list like llama.cpp's -ot. llama.cpp uses std::regex_search (ECMAScript),
 * which unanchored JS RegExp.test matches.
 */
export function compileOverrides(entries: readonly string[]): CompiledOverride[] {
  const out: CompiledOverride[] = [];
  for (const entry of entries) {
    const parts = entry.includes("=") ? entry.split(",") : [entry];
    for (const raw of parts) {
      const part = raw.trim();
      if (part === "") continue;
      const eq = part.lastIndexOf("=");
      const pattern = eq === -1 ? part : part.slice(0, eq);
      const device = eq === -1 ? "CPU" : part.slice(eq + 1).trim();
      if (device.toUpperCase() !== "CPU") {
        throw new AppError("bad_request", `override "${part}": only CPU is supported as a target, not "${device}"`);
      }
      if (pattern === "") throw new AppError("bad_request", `override "${part}" has an empty pattern`);
      let regex: RegExp;
      try {
        regex = new RegExp(pattern);
      } catch (e) {
        throw new AppError("bad_request", `override "${part}" is not a valid regex: ${(e as Error).message}`);
      }
      out.push({ pattern, regex });
    }
  }
  return out;
}

/** True when some override sends this tensor to the CPU. */
export function matchesOverride(name: string, overrides: readonly CompiledOverride[]): boolean {
  return overrides.some((o) => o.regex.test(name));
}
