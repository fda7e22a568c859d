/** Model families: one protocol per family, chosen from the loaded model. */
export type { FamilyMatch, ModelFamily, ModelFamilyId, ModelProtocol, RenderOptions, SamplingDefaults, ThinkingMode } from "./protocol";
export { MODEL_FAMILY_IDS, THINKING_MODES } from "./protocol";
export { familyById, familySampling, familyThinking, MODEL_FAMILIES } from "./registry";
export { detectModelFamily, familyFromName, type FamilyDetection, type FamilyEvidence } from "./detect";
export { renderContinuation } from "./continuation";
export { classifyChatTemplate, protocolForTemplate, type ChatTemplateKind } from "./template";
