import { AppError } from "../../app/contract";
import { PromptRequestSchema } from "../../app/m2/types";
import { defineCommand, parseCommandArgs } from "./command-spec";
import { FAMILY_OPTIONS, familyFromFlags } from "./family-flag";
import { parseJson, readStdin } from "./stdin";

export const promptSpec = defineCommand({
  name: "prompt",
  summary: "read {messages, tools} (OpenAI format + reasoning_content) on stdin; print the exact prompt of a model family (M2 by default)",
  positionals: "",
  options: { ...FAMILY_OPTIONS },
});

/** `m2d prompt`: the exact prompt text the engine would evaluate, like llama-server's /apply-template. */
export async function promptCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(promptSpec, argv);
  const { family, options } = familyFromFlags(values);
  const parsed = PromptRequestSchema.safeParse(parseJson(await readStdin(), "stdin"));
  if (!parsed.success) {
    throw new AppError("bad_request", `Expected {"messages": [...], "tools": [...]}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  process.stdout.write(family.protocol.renderPrompt(parsed.data, options));
}
