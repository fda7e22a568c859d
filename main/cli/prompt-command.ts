import { AppError } from "../../app/contract";
import { renderM2Prompt } from "../../app/m2/prompt";
import { PromptRequestSchema } from "../../app/m2/types";
import { parseJson, readStdin } from "./stdin";

/** `m2d prompt`: the exact prompt text the engine would evaluate, like llama-server's /apply-template. */
export async function promptCommand(): Promise<void> {
  const parsed = PromptRequestSchema.safeParse(parseJson(await readStdin(), "stdin"));
  if (!parsed.success) {
    throw new AppError("bad_request", `Expected {"messages": [...], "tools": [...]}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  process.stdout.write(renderM2Prompt(parsed.data));
}
