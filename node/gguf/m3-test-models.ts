import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ensure, type ScriptedIdentity } from "./m2-test-models";
import { buildM3ScriptedModel, m3ScriptedSegments, M3_SCRIPTED_HPARAMS } from "./m3-scripted-model";
import { M3_SCRIPTS, type M3ScriptedScenario } from "./m3-scripts";
import { SCRIPTED_WEIGHTS } from "./m2-scripted-model";
import { writeGguf } from "./writer";

export { m3ExpectedOutput, M3_SCRIPTS, type M3ScriptedScenario } from "./m3-scripts";

/** Bump when the generator's code changes in a way the parameters below do not show. */
const GENERATOR_VERSION = 2;

/** MiniMax-M3.jinja from the bundled llama.cpp (models/templates), embedded in the scripted M3 GGUFs. */
export const M3_CHAT_TEMPLATE_PATH = fileURLToPath(new URL("../../resources/minimax-m3.jinja", import.meta.url));

export async function readM3ChatTemplate(): Promise<string> {
  return readFile(M3_CHAT_TEMPLATE_PATH, "utf8");
}

/** Each generated token's text for a scripted turn, in order (EOS excluded): for streaming assertions. */
export function m3ExpectedTokens(scenario: M3ScriptedScenario, turn: "turn1" | "afterTool"): readonly string[] {
  return m3ScriptedSegments(scenario)[turn];
}

/** Path of a generated minimax-m3 test model for `scenario` (under testModelsDir()), created on first use; `identity` for another M3-architecture model. */
export async function ensureM3TestModel(scenario: M3ScriptedScenario, identity?: ScriptedIdentity): Promise<string> {
  const template = identity?.chatTemplate ?? (await readM3ChatTemplate());
  const key = createHash("sha256")
    .update(JSON.stringify({ v: GENERATOR_VERSION, scenario, script: M3_SCRIPTS[scenario], hparams: M3_SCRIPTED_HPARAMS, weights: SCRIPTED_WEIGHTS, template, ...(identity ? { name: identity.generalName } : {}) }))
    .digest("hex")
    .slice(0, 12);
  const [path] = await ensure(identity ? `m3-${scenario}-${identity.label}-${key}` : `m3-${scenario}-${key}`, 1, async (prefix) => {
    await writeGguf(`${prefix}.gguf`, buildM3ScriptedModel(scenario, template, identity?.generalName).input);
    return [`${prefix}.gguf`];
  });
  if (!path) throw new Error("unreachable");
  return path;
}
