import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_HPARAMS, BENCH_SEED, buildBenchModel } from "./m2-bench-model";
import { SCRIPTS, type ScriptedScenario, type TestScenario } from "./m2-scripts";
import { buildScriptedModel, scriptedSegments, SCRIPTED_HPARAMS, SCRIPTED_WEIGHTS, VERDICT_WEIGHTS } from "./m2-scripted-model";
import { splitPartPath, writeGgufSplit } from "./split";
import { writeGguf, type GgufFileInput } from "./writer";

export { ATTEMPTS_CONTENTS, ATTEMPTS_FILE, ATTEMPTS_MARKER, expectedOutput, LONG_LINES, SCRIPTS, type ScriptedScenario, type TestScenario } from "./m2-scripts";

/** Each generated token's text for a scripted turn, in order (EOS excluded): for streaming assertions. */
export function expectedTokens(scenario: ScriptedScenario, turn: "turn1" | "afterTool"): readonly string[] {
  return scriptedSegments(scenario)[turn];
}

/** Bump when the generator's code changes in a way the parameters below do not show. */
const GENERATOR_VERSION = 3;

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHAT_TEMPLATE_PATH = join(REPO_ROOT, "resources", "minimax-m2.jinja");

/** `.cache/models/` under the repo root (gitignored); M2_TEST_MODELS_DIR overrides it. */
export function testModelsDir(): string {
  return process.env.M2_TEST_MODELS_DIR ?? join(REPO_ROOT, ".cache", "models");
}

export async function readChatTemplate(): Promise<string> {
  return readFile(CHAT_TEMPLATE_PATH, "utf8");
}

function generatorKey(scenario: TestScenario, template: string): string {
  const params =
    scenario === "bench"
      ? { scenario, hparams: BENCH_HPARAMS, seed: BENCH_SEED, chatScript: SCRIPTS.chat }
      : { scenario, script: SCRIPTS[scenario], hparams: SCRIPTED_HPARAMS, weights: SCRIPTED_WEIGHTS, ...(SCRIPTS[scenario].verdict ? { verdict: VERDICT_WEIGHTS } : {}) };
  return createHash("sha256")
    .update(JSON.stringify({ v: GENERATOR_VERSION, params, template }))
    .digest("hex")
    .slice(0, 12);
}

function buildInput(scenario: TestScenario, template: string): GgufFileInput {
  return scenario === "bench" ? buildBenchModel(template) : buildScriptedModel(scenario, template).input;
}

const pending = new Map<string, Promise<string[]>>();

/** Generates once into a private temp dir, then renames into place so parallel test workers never see half a file. */
export async function ensure(name: string, parts: number, write: (prefix: string) => Promise<string[]>): Promise<string[]> {
  const dir = testModelsDir();
  const finalPaths = parts === 1 ? [join(dir, `${name}.gguf`)] : Array.from({ length: parts }, (_, i) => splitPartPath(join(dir, name), i + 1, parts));
  if (finalPaths.every((p) => existsSync(p))) return finalPaths;
  const running = pending.get(name);
  if (running) return running;
  const job = (async () => {
    await mkdir(dir, { recursive: true });
    const tmp = await mkdtemp(join(dir, `.tmp-${randomBytes(4).toString("hex")}-`));
    try {
      const written = await write(join(tmp, name));
      // last part first: once part 1 exists the whole set does
      for (let i = written.length - 1; i >= 0; i--) {
        const from = written[i];
        const to = finalPaths[i];
        if (!from || !to || basename(from) !== basename(to)) throw new Error("unexpected generated file name");
        await rename(from, to);
      }
      return finalPaths;
    } finally {
      await rm(tmp, { recursive: true, force: true });
      pending.delete(name);
    }
  })();
  pending.set(name, job);
  return job;
}

/**
 * A scripted model passed off as another model of its architecture: its general.name and embedded
 * chat template (what family detection reads), `label` naming the file. The script plays the same,
 * since the weights look at the last token only.
 */
export interface ScriptedIdentity {
  label: string;
  generalName: string;
  chatTemplate: string;
}

/** Path of a generated minimax-m2 test model for `scenario`, created on first use; `identity` for another M2-architecture model. */
export async function ensureTestModel(scenario: TestScenario, identity?: ScriptedIdentity): Promise<string> {
  if (identity && scenario === "bench") throw new Error("the bench model has no scripted identity");
  const template = identity?.chatTemplate ?? (await readChatTemplate());
  const key = identity ? createHash("sha256").update(`${generatorKey(scenario, template)}\n${identity.generalName}`).digest("hex").slice(0, 12) : generatorKey(scenario, template);
  const name = identity ? `m2-${scenario}-${identity.label}-${key}` : `m2-${scenario}-${key}`;
  const [path] = await ensure(name, 1, async (prefix) => {
    const input = identity && scenario !== "bench" ? buildScriptedModel(scenario, template, identity.generalName).input : buildInput(scenario, template);
    await writeGguf(`${prefix}.gguf`, input);
    return [`${prefix}.gguf`];
  });
  if (!path) throw new Error("unreachable");
  return path;
}

/** The same model written as `parts` gguf-split files; returns all part paths (load the first). */
export async function ensureSplitTestModel(scenario: ScriptedScenario, parts = 3): Promise<string[]> {
  const template = await readChatTemplate();
  const name = `m2-${scenario}-split${parts}-${generatorKey(scenario, template)}`;
  return ensure(name, parts, (prefix) => writeGgufSplit(prefix, buildInput(scenario, template), parts));
}
