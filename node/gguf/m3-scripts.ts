import { M3_NS } from "../../app/m3/prompt";
import type { Script } from "./m2-scripts";

/**
 * What each scripted minimax-m3 test model says, in M3's own format: reasoning in
 * `<mm:think>…</mm:think>` (the model opens it itself: the default adaptive prompt ends
 * at `]~b]ai\n`), tool calls with the namespace token on every tag and parameters as
 * named tags (MiniMax-M3.jinja). `turn1` is generated for any prompt without a tool
 * response; `afterTool` once a `<response>` is in the context.
 */
export type M3ScriptedScenario = "chat" | "agent";


const words = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [];

/** One call as M3's template renders it: `ns<invoke name="…">`, then `ns<key>value ns</key>` per argument. */
export function m3ToolCall(name: string, args: Readonly<Record<string, string>>): string {
  const params = Object.entries(args)
    .map(([k, v]) => `${M3_NS}<${k}>${v}${M3_NS}</${k}>`)
    .join("");
  return `${M3_NS}<tool_call>\n${M3_NS}<invoke name="${name}">${params}${M3_NS}</invoke>\n${M3_NS}</tool_call>`;
}

const chat: Script = {
  turn1: words(
    "<mm:think>The user wants a short formatted answer. A list and a code line will do.</mm:think>" +
      "Here is a tiny example in **TypeScript**:\n\n```ts\nconst sum = 1 + 2;\n```\n\n- It adds two numbers.\n- It is typed.\n",
  ),
  afterTool: words("<mm:think>The tool result is in, so I can answer.</mm:think>The tool finished successfully."),
};

const agent: Script = {
  turn1: [
    ...words("<mm:think>The user asks what is in the workspace. I should call list_files on the current directory.</mm:think>"),
    m3ToolCall("list_files", { path: "." }),
  ],
  afterTool: words(
    "<mm:think>The tool returned the listing. I will summarize it.</mm:think>The workspace holds the files listed above. Tell me which one to open.",
  ),
};

export const M3_SCRIPTS: Readonly<Record<M3ScriptedScenario, Script>> = { chat, agent };

/** The exact text a scripted minimax-m3 model generates for a turn. */
export function m3ExpectedOutput(scenario: M3ScriptedScenario, turn: "turn1" | "afterTool"): string {
  return M3_SCRIPTS[scenario][turn].join("");
}
