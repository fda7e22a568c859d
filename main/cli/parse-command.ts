import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../../app/contract";
import { parseOutput } from "../../app/family/parse-output";
import { ToolDefinitionSchema } from "../../app/m2/types";
import { defineCommand, parseCommandArgs } from "./command-spec";
import { FAMILY_OPTIONS, familyFromFlags } from "./family-flag";
import { parseJson, readStdin } from "./stdin";

export const parseSpec = defineCommand({
  name: "parse",
  summary: "read raw model output on stdin; print {reasoning, content, tool_calls} as JSON",
  positionals: "",
  details: "The output is what the model wrote after the template's generation prefill (M2: `<think>\\n`; M3: per --thinking).",
  options: {
    ...FAMILY_OPTIONS,
    tools: { type: "string", value: "tools.json", help: "the tool definitions (OpenAI format), to type the calls' arguments" },
  },
});

/** `m2d parse [--family ID] [--tools tools.json]`: raw model output (after the family's prefill) → reasoning, content, tool calls. */
export async function parseCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(parseSpec, argv);
  const { family, options } = familyFromFlags(values);
  let tools;
  if (values.tools) {
    const parsed = z.array(ToolDefinitionSchema).safeParse(parseJson(readFileSync(values.tools, "utf8"), values.tools));
    if (!parsed.success) throw new AppError("bad_request", `${values.tools} is not a list of tool definitions.`);
    tools = parsed.data;
  }
  const output = parseOutput(family.protocol, await readStdin(), { ...options, ...(tools ? { tools } : {}) });
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}
