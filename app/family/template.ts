import type { ModelFamily, ModelProtocol } from "./protocol";

export type ChatTemplateKind = "official" | "modified" | "missing";

/**
 * The protocol that renders a GGUF's embedded template exactly, given the family's reference
 * template (its `templateFile`), or undefined when the engine must render the file itself.
 * A protocol may know revisions of the reference (`forTemplate`); otherwise only the reference
 * itself counts, trailing whitespace aside (files differ in final newlines).
 */
export function protocolForTemplate(family: ModelFamily, embedded: string | undefined, reference: string | undefined): ModelProtocol | undefined {
  if (embedded === undefined || embedded.trim() === "" || reference === undefined) return undefined;
  if (family.protocol.forTemplate) return family.protocol.forTemplate(embedded, reference);
  return embedded.trimEnd() === reference.trimEnd() ? family.protocol : undefined;
}

/**
 * Whether a GGUF's embedded chat template is one the family's TS renderer stands in for
 * ("official": the reference or a known revision of it), something else ("modified": rendered
 * as is, through Jinja), or absent. A model of no known family has no official template.
 */
export function classifyChatTemplate(embedded: string | undefined, family: ModelFamily | null, reference: string | undefined): ChatTemplateKind {
  if (embedded === undefined || embedded.trim() === "") return "missing";
  return family !== null && protocolForTemplate(family, embedded, reference) !== undefined ? "official" : "modified";
}
