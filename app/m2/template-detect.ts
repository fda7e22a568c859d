export type ChatTemplateKind = "official" | "modified" | "missing";

/**
 * Whether a GGUF's embedded chat template is the official M2 template (so the TS
 * renderer can stand in for it), something else, or absent. Only trailing whitespace
 * at the end is ignored (files differ in final newlines); whitespace inside a
 * template can change its output, so any other difference counts as modified.
 */
export function classifyChatTemplate(embedded: string | undefined, official: string): ChatTemplateKind {
  if (embedded === undefined || embedded.trim() === "") return "missing";
  return embedded.trimEnd() === official.trimEnd() ? "official" : "modified";
}
