import { m2Protocol } from "../m2/protocol";
import type { ModelFamily, ModelFamilyId, SamplingDefaults } from "./protocol";

/** MiniMax's recommended sampling, the same for every model so far (model cards). */
const MINIMAX_SAMPLING: SamplingDefaults = { temperature: 1.0, topP: 0.95, topK: 40 };

/**
 * Every family the app knows, most specific first. Detection (detect.ts) reads the
 * `match` rules; add a family by adding its entry here.
 */
export const MODEL_FAMILIES: readonly ModelFamily[] = [
  {
    id: "minimax-m2",
    displayName: "MiniMax-M2",
    // M2 but not M2.1 / M2.5 / M2.7 / M20…
    match: { architectures: ["minimax-m2"], name: /minimax[-_ ]?m2(?![.\d])/i, architectureDefault: true },
    templateFile: "minimax-m2.jinja",
    protocol: m2Protocol,
    sampling: MINIMAX_SAMPLING,
  },
];

export function familyById(id: ModelFamilyId): ModelFamily | undefined {
  return MODEL_FAMILIES.find((family) => family.id === id);
}
