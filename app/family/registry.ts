import { m2FamilyProtocol, m2Protocol } from "../m2/protocol";
import { m3Protocol } from "../m3/protocol";
import type { ModelFamily, ModelFamilyId, ModelProtocol, SamplingDefaults } from "./protocol";

/** MiniMax's recommended sampling, the same for every model so far (model cards). */
const MINIMAX_SAMPLING: SamplingDefaults = { temperature: 1.0, topP: 0.95, topK: 40 };

/** The default system prompt each M2.x model card gives ("Default system prompt"). */
const identity = (name: string) => `You are a helpful assistant. Your name is ${name} and is built by MiniMax.`;

/**
 * M2.1, M2.5 and M2.7 keep M2's architecture and tool-call syntax. Their templates are revisions
 * of M2's: the default system prompt above, and for null content M2.1's prints nothing (MiniMax's
 * fix), while M2.5's and M2.7's print Python's `None` as M2's does (`noneText`;
 * resources/templates/PROVENANCE.md says how this is known). A GGUF's own revision is recognised
 * against M2's file and rendered with its own values (ModelProtocol.forTemplate); these are the
 * defaults for a GGUF without a template.
 */
function m2Successor(id: "minimax-m2.1" | "minimax-m2.5" | "minimax-m2.7", version: string, noneText: "" | "None"): ModelFamily {
  const displayName = `MiniMax-M${version}`;
  const escaped = version.replace(".", "\\.");
  return {
    id,
    displayName,
    match: {
      architectures: ["minimax-m2"],
      name: new RegExp(`minimax[-_ ]?m${escaped}(?!\\d)`, "i"),
      templateMarker: `Your name is ${displayName} and`,
    },
    templateFile: "minimax-m2.jinja",
    // These models sometimes stop without </think> (M2.1 most): the answer must not be lost.
    protocol: m2FamilyProtocol({ defaultIdentity: identity(displayName), noneText }, { unclosedReasoningIsAnswer: true }),
    sampling: MINIMAX_SAMPLING,
  };
}

/**
 * Every family the app knows. Detection (detect.ts) reads the `match` rules; add a family
 * by adding its entry here. Name patterns must not overlap (M2's excludes M2.1 and the rest).
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
  m2Successor("minimax-m2.1", "2.1", ""),
  m2Successor("minimax-m2.5", "2.5", "None"),
  m2Successor("minimax-m2.7", "2.7", "None"),
  {
    id: "minimax-m3",
    displayName: "MiniMax-M3",
    // M3 but not M3.1 / M30…; the namespace token is in no other family's template.
    match: { architectures: ["minimax-m3"], name: /minimax[-_ ]?m3(?![.\d])/i, templateMarker: "]<]minimax[>[", architectureDefault: true },
    templateFile: "minimax-m3.jinja",
    protocol: m3Protocol,
    sampling: MINIMAX_SAMPLING,
  },
  {
    id: "minimax-m3.1",
    displayName: "MiniMax-M3.1",
    // M3.1 and M3.1-Flash (Oct 2026): M3's architecture, template and protocol; told apart by name only.
    match: { architectures: ["minimax-m3"], name: /minimax[-_ ]?m3\.1(?!\d)/i },
    templateFile: "minimax-m3.jinja",
    protocol: m3Protocol,
    sampling: MINIMAX_SAMPLING,
  },
];

export function familyById(id: ModelFamilyId): ModelFamily | undefined {
  return MODEL_FAMILIES.find((family) => family.id === id);
}

/** The sampling MiniMax recommends for a family's model; undefined for a model of no known family. */
export function familySampling(id: ModelFamilyId): SamplingDefaults | undefined {
  return familyById(id)?.sampling;
}

/** The thinking modes a family offers as a chat setting (ModelProtocol.thinking); undefined when it has none. */
export function familyThinking(id: ModelFamilyId): ModelProtocol["thinking"] {
  return familyById(id)?.protocol.thinking;
}
