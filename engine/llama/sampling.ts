import { randomInt } from "node:crypto";

/** MiniMax-M2's official sampling settings. */
export const M2_SAMPLING = { temperature: 1.0, topP: 0.95, topK: 40 } as const;

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
