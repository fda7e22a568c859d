export type ChatTemplateKind = "official" | "modified" | "missing";

/**
 * Whether a GGUF's embedded chat template is the official template of its family (so the
 * TS renderer can stand in for it), something else, or absent. Only trailing whitespace
 * at the end is ignored (files differ in final newlines); whitespace inside a template can
 * change its output, so any other difference counts as modified. Without an official copy
 * to compare with (`official` undefined), a present template counts as modified.
 */
export function classifyChatTemplate(embedded: string | undefined, official: string | undefined): ChatTemplateKind {
  if (embedded === undefined || embedded.trim() === "") return "missing";
  return official !== undefined && embedded.trimEnd() === official.trimEnd() ? "official" : "modified";
}
