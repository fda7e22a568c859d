import { AppError } from "../../app/contract";
import { renderM2Prompt } from "../../app/m2/prompt";
import { PromptRequestSchema } from "../../app/m2/types";
import { defineCommand, parseCommandArgs } from "./command-spec";
import { parseJson, readStdin } from "./stdin";

export const promptSpec = defineCommand({
  name: "prompt",
  summary: "read {messages, tools} (OpenAI format + reasoning_content) on stdin; print the exact M2 prompt",
  positionals: "",
  options: {},
});

/** `m2d prompt`: the exact prompt text the engine would evaluate, like llama-server's /apply-template. */
export async function promptCommand(argv: string[]): Promise<void> {
  parseCommandArgs(promptSpec, argv);
  const parsed = PromptRequestSchema.safeParse(parseJson(await readStdin(), "stdin"));
  if (!parsed.success) {
    throw new AppError("bad_request", `Expected {"messages": [...], "tools": [...]}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  process.stdout.write(renderM2Prompt(parsed.data));
}
