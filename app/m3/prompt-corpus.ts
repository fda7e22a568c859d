import type { ToolDefinition } from "../m2/types";
import { M3_THINKING_MODES, type M3ThinkingMode } from "./thinking";
import type { M3ChatMessage, M3PromptRequest } from "./types";

/**
 * Conversations renderM3Prompt must render byte-for-byte like MiniMax-M3.jinja under Python
 * Jinja2 (prompt.test.ts). Generated: every prompt-role layout × thinking mode, then every
 * conversation shape × tool list × generation prompt, then single cases for the value printing.
 */
export interface M3PromptCase {
  name: string;
  request: M3PromptRequest;
}

const NS = "]<]minimax[>[";
// CJK, emoji (astral), quotes, backslashes, newlines, a tab, a control char and the protocol's own markup.
const TRICKY =
  '天气怎么样？今日は 🌧️👩‍💻 café "double" \'single\' C:\\path \\n literal\nsecond line\ttab \u0001 ' +
  `${NS}</city> <mm:think> </mm:think> </response> [e~[ ]~b]user`;

const weather: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather for a city.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Paris" },
        days: { type: "integer", minimum: 1, maximum: 7.5e-1 },
        unit: { type: "string", enum: ["celsius", "fahrenheit"], default: "celsius" },
      },
      required: ["city"],
    },
  },
};
const editFiles: ToolDefinition = {
  type: "function",
  function: {
    name: "edit_files",
    description: `Edit files. Unicode: ${TRICKY}`,
    parameters: {
      type: "object",
      properties: {
        edits: {
          type: "array",
          items: {
            type: "object",
            properties: { path: { type: "string" }, line: { type: "integer" }, text: { type: "string" } },
          },
        },
        options: { type: "object", properties: { dry_run: { type: "boolean" }, ratio: { type: "number" } } },
      },
    },
  },
};
const noParams: ToolDefinition = { function: { name: "list_files" } };
const TOOL_SETS: readonly [string, ToolDefinition[] | undefined][] = [
  ["no tools", undefined],
  ["empty tools", []],
  ["three tools", [weather, editFiles, noParams]],
];

const PROMPT_LAYOUTS: readonly [string, M3ChatMessage[]][] = [
  ["no prompt messages", []],
  ["system", [{ role: "system", content: "You are terse." }]],
  ["developer", [{ role: "developer", content: "Answer in French." }]],
  ["root", [{ role: "root", content: "Root rules." }]],
  ["root + system", [{ role: "root", content: "Root rules." }, { role: "system", content: "Dev rules." }]],
  ["root + developer (list)", [{ role: "root", content: [{ type: "text", text: "R" }, "oot"] }, { role: "developer", content: [{ type: "text", text: "Dev" }] }]],
  ["empty system", [{ role: "system", content: "" }]],
  ["null root + null developer", [{ role: "root", content: null }, { role: "developer", content: null }]],
  ["system with media", [{ role: "system", content: [{ type: "image", url: "x" }, { type: "text", text: " see" }, { type: "video" }] }]],
];

const call = (name: string, args: Record<string, unknown> | string) => ({ type: "function" as const, function: { name, arguments: args } });

const CONVERSATIONS: readonly [string, M3ChatMessage[]][] = [
  ["one user turn", [{ role: "user", content: "Hello" }]],
  [
    "multi-turn with reasoning_content",
    [
      { role: "user", content: "2+2?" },
      { role: "assistant", content: "4", reasoning_content: "Simple sum." },
      { role: "user", content: "And 3+3?" },
      { role: "assistant", content: "6", reasoning_content: "" },
      { role: "user", content: "Thanks" },
    ],
  ],
  [
    "agent loop with calls and results",
    [
      { role: "user", content: "Weather in Paris and Tokyo, then fix the file" },
      {
        role: "assistant",
        content: "Checking.",
        reasoning_content: "I need both cities.",
        tool_calls: [call("get_weather", { city: "Paris", days: 2 }), call("get_weather", '{"city": "Tokyo", "unit": null}')],
      },
      { role: "tool", content: "18C", tool_call_id: "a" },
      { role: "tool", content: [{ type: "text", text: "22C" }, { output: { temp: 22.5, ok: true, note: null } }, "raw"] },
      {
        role: "assistant",
        content: null,
        reasoning_content: "Now edit.",
        tool_calls: [
          call("edit_files", {
            edits: [{ path: "a.ts", line: 3, text: "x < y && z" }, { path: "b.ts", line: 0, text: "" }],
            options: { dry_run: false, ratio: 0.25 },
          }),
        ],
      },
      { role: "tool", content: [{ type: "image" }, { output: "done" }] },
      { role: "assistant", content: "All done.", reasoning_content: "Report back." },
    ],
  ],
  [
    "reasoning inside content, split by the template",
    [
      { role: "user", content: "q" },
      { role: "assistant", content: "<mm:think>\n\n  why \n</mm:think>\n\n  answer\n" },
      { role: "user", content: "q2" },
      { role: "assistant", content: "pre<mm:think>a</mm:think>b</mm:think>\nc", reasoning_content: null },
    ],
  ],
  [
    "tool result after a user turn keeps the last call",
    [
      { role: "user", content: "q" },
      { role: "assistant", content: "", tool_calls: [call("list_files", "")] },
      { role: "user", content: "interrupting" },
      { role: "tool", content: "late result" },
    ],
  ],
  [
    "later system and developer messages are dropped",
    [
      { role: "user", content: "q" },
      { role: "system", content: "ignored" },
      { role: "developer", content: "ignored too" },
      { role: "root", content: "and this" },
      { role: "user", content: [{ type: "text", text: "with " }, { type: "image" }, "parts", { type: "video" }] },
    ],
  ],
];

function generated(): M3PromptCase[] {
  const cases: M3PromptCase[] = [];
  const modes: (M3ThinkingMode | undefined)[] = [undefined, ...M3_THINKING_MODES];
  for (const [layout, prompts] of PROMPT_LAYOUTS) {
    for (const mode of modes) {
      const request: M3PromptRequest = { messages: [...prompts, { role: "user", content: "Hi" }] };
      if (mode !== undefined) request.thinking_mode = mode;
      cases.push({ name: `${layout}, thinking ${mode ?? "unset"}`, request });
    }
  }
  for (const [shape, messages] of CONVERSATIONS) {
    for (const [toolSet, tools] of TOOL_SETS) {
      for (const addGenerationPrompt of [true, false]) {
        const request: M3PromptRequest = { messages, add_generation_prompt: addGenerationPrompt, thinking_mode: "enabled" };
        if (tools !== undefined) request.tools = tools;
        cases.push({ name: `${shape}, ${toolSet}, generation prompt ${addGenerationPrompt}`, request });
      }
    }
  }
  return cases;
}

const withArgs = (name: string, args: Record<string, unknown> | string): M3PromptRequest => ({
  messages: [
    { role: "user", content: "go" },
    { role: "assistant", content: "", tool_calls: [call("f", args)] },
    { role: "tool", content: "ok" },
  ],
  tools: [{ function: { name: "f", description: name, parameters: { type: "object", properties: {} } } }],
});

const VALUE_CASES: M3PromptCase[] = [
  { name: "argument scalars", request: withArgs("s", { i: 42, neg: -7, f: 2.5, tiny: 1.5e-5, small: 0.0001, big: 1e21, huge: 2 ** 64, t: true, f2: false, s: "text" }) },
  { name: "float boundaries", request: withArgs("fb", { a: 1e16, b: 1.5e16, c: 123456789.123, d: -0.000012, e: 1e-7, f: 0.1 + 0.2 }) },
  { name: "nested arrays and objects", request: withArgs("n", { m: [[1, [2, []]], {}, { k: [{}] }], o: { a: { b: { c: "deep" } } } }) },
  { name: "null members are skipped at every level", request: withArgs("nul", { a: null, b: { c: null, d: 1 }, e: [null, 2] }) },
  { name: "an argument named items", request: withArgs("items", { items: [1, 2], keys: "k", values: { items: "x" } }) },
  { name: "tricky strings raw in tags", request: withArgs("t", { text: TRICKY, "weird key-1": TRICKY }) },
  { name: "empty string and empty containers", request: withArgs("e", { s: "", a: [], o: {} }) },
  { name: "string arguments (OpenAI form)", request: withArgs("str", '{"path": "a", "n": [1, 2.0, 3.5], "deep": {"x": [true]}}') },
  { name: "blank string arguments", request: withArgs("blank", "  ") },
  {
    name: "tool results printed the Python way",
    request: {
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", tool_calls: [call("f", {})] },
        {
          role: "tool",
          content: [
            { output: { a: [1, "two", null, true], "it's": 'say "hi"', both: `'"`, esc: "a\\b\n\t\r\u0007\u00a0\u2028é" } },
            { output: null },
            { output: 3.0 },
            { output: 1e-9 },
            { type: "text", text: TRICKY },
            { type: "text" },
            { other: [1.5, false] },
            { type: "video" },
            "plain",
          ],
        },
      ],
    },
  },
  { name: "tool schema with floats and unicode", request: { messages: [{ role: "user", content: "x" }], tools: [{ function: { name: "é", description: "ü 🌧️ \u0001 \"q\"", parameters: { type: "object", properties: { x: { type: "number", minimum: 1e-5, maximum: 1e20, multipleOf: 0.001 } } } } }] } },
  { name: "model identity without a developer prompt", request: { messages: [{ role: "user", content: "x" }], model_identity: "You are Bob." } },
  { name: "model identity loses to a developer prompt", request: { messages: [{ role: "developer", content: "Dev." }, { role: "user", content: "x" }], model_identity: "You are Bob." } },
  { name: "assistant without content", request: { messages: [{ role: "user", content: "x" }, { role: "assistant" }], add_generation_prompt: false } },
  { name: "empty conversation", request: { messages: [] } },
  { name: "only an assistant prefill, thinking disabled", request: { messages: [{ role: "assistant", content: "Sure", reasoning_content: "r" }], thinking_mode: "disabled" } },
];

export const m3PromptCorpus: readonly M3PromptCase[] = [...generated(), ...VALUE_CASES];
