import { randomInt } from "node:crypto";

import { M2_SAMPLING_DEFAULTS } from "../../app/contract/generation";

/** MiniMax-M2's official sampling settings (one definition, in the contract). */
export const M2_SAMPLING = M2_SAMPLING_DEFAULTS;

export type SamplingOptions = {
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Fixed seed for reproducible output; random per request when omitted. */
  seed?: number;
};

export type ResolvedSampling = { temperature: number; topP: number; topK: number; seed: number };

export function resolveSampling(options: SamplingOptions): ResolvedSampling {
  return {
    temperature: options.temperature ?? M2_SAMPLING.temperature,
    topP: options.topP ?? M2_SAMPLING.topP,
    topK: options.topK ?? M2_SAMPLING.topK,
    // node-llama-cpp's own default is the epoch second: two requests in one second would repeat.
    seed: options.seed ?? randomInt(0, 2 ** 32 - 1),
  };
}
