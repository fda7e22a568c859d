import type { ModelFamily, ModelFamilyId } from "./protocol";
import { MODEL_FAMILIES } from "./registry";

/** What a GGUF says about itself (general.architecture, general.name, tokenizer.chat_template). */
export interface FamilyEvidence {
  architecture: string;
  name: string | null;
  chatTemplate: string | null | undefined;
  /** The file's name, a fallback when general.name is missing. */
  fileName?: string;
}

export interface FamilyDetection {
  /** null for "unknown": the model gets its own template and plain-text output. */
  family: ModelFamily | null;
  id: ModelFamilyId;
  displayName: string;
  /** Which evidence decided. */
  by: "template" | "name" | "template-marker" | "architecture" | "none";
}

/**
 * Which family a GGUF belongs to. In order: its embedded template is a family's
 * official one (`officialTemplate` supplies those texts); its name says so (on a
 * matching architecture); its template carries a family's marker; its architecture's
 * default family. Otherwise "unknown".
 */
export function detectModelFamily(
  evidence: FamilyEvidence,
  officialTemplate: (family: ModelFamily) => string | undefined = () => undefined,
  families: readonly ModelFamily[] = MODEL_FAMILIES,
): FamilyDetection {
  const onArch = families.filter((f) => f.match.architectures.includes(evidence.architecture));
  const template = evidence.chatTemplate?.trimEnd();
  const names = [evidence.name, evidence.fileName].filter((n): n is string => Boolean(n));
  if (template) {
    // Families may share an official template (M3 and M3.1): the name picks among them.
    const exact = families.filter((f) => officialTemplate(f)?.trimEnd() === template);
    const named = names.map((name) => familyFromName(name, exact)).find((f) => f !== undefined);
    const chosen = named ?? exact[0];
    if (chosen) return found(chosen, "template");
  }
  for (const name of names) {
    const byName = familyFromName(name, onArch);
    if (byName) return found(byName, "name");
  }
  if (template) {
    const marked = onArch.find((f) => f.match.templateMarker !== undefined && template.includes(f.match.templateMarker));
    if (marked) return found(marked, "template-marker");
  }
  const fallback = onArch.find((f) => f.match.architectureDefault);
  if (fallback) return found(fallback, "architecture");
  return { family: null, id: "unknown", displayName: "Unknown model", by: "none" };
}

/** The family a model's name (a repo, a file, general.name) says it is, by name alone. */
export function familyFromName(name: string, families: readonly ModelFamily[] = MODEL_FAMILIES): ModelFamily | undefined {
  return families.find((f) => f.match.name.test(name));
}

function found(family: ModelFamily, by: FamilyDetection["by"]): FamilyDetection {
  return { family, id: family.id, displayName: family.displayName, by };
}
