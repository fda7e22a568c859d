import type { M2EndReason, M2FinishReason, M2ParseErrorCode, M2ParseErrorInfo, M2ParseEvent } from "../m2/parser-events";
import type { ToolDefinition } from "../m2/types";
import type { M3ThinkingMode } from "./thinking";

/**
 * M3 model outputs with the events the parser must produce for them, adjacent deltas joined
 * (joinM2Events). `raw` is what the model generates after the generation prompt's prefill
 * for `thinkingMode` (default adaptive: no prefill). Data only; parser.test.ts runs them.
 */
export interface M3ParserFixture {
  name: string;
  raw: string;
  tools?: ToolDefinition[];
  thinkingMode?: M3ThinkingMode;
  /** How generation ended; "stop" when absent. */
  reason?: M2EndReason;
  expected: M2ParseEvent[];
  /** Well-formed: the parsed message, rendered by the template, parses back the same. */
  roundTrips?: boolean;
  /** Written exactly as the template renders the parsed message (adaptive mode): re-rendering gives `raw` back. */
  canonical?: boolean;
}

const NS = "]<]minimax[>[";
const OPEN = `${NS}<tool_call>\n`;
const CLOSE = `${NS}</tool_call>`;
const invoke = (name: string, body: string): string => `${NS}<invoke name="${name}">${body}${NS}</invoke>\n`;
const el = (tag: string, body: string): string => `${NS}<${tag}>${body}${NS}</${tag}>`;

function tool(name: string, properties: Record<string, unknown>): ToolDefinition {
  return { type: "function", function: { name, parameters: { type: "object", properties } } };
}
const weather = tool("get_weather", { city: { type: "string" }, days: { type: "integer" } });
const editFiles = tool("edit_files", {
  edits: {
    type: "array",
    items: { type: "object", properties: { path: { type: "string" }, line: { type: "integer" }, text: { type: "string" } } },
  },
  options: { type: "object", properties: { dry_run: { type: "boolean" }, ratio: { type: "number" } } },
  tags: { type: "array", items: { type: "string" } },
});
const kinds = tool("kinds", {
  list: { type: "array", items: { type: "integer" } },
  map: { type: "object", properties: { a: { type: "integer" } } },
  text: { type: "string" },
  count: { type: "integer" },
  either: { anyOf: [{ type: "integer" }, { type: "string" }] },
  nested: { type: "array", items: { type: "array", items: { type: "number" } } },
});

const r = (text: string): M2ParseEvent => ({ type: "reasoning_delta", text });
const c = (text: string): M2ParseEvent => ({ type: "content_delta", text });
const started = (index: number, name: string): M2ParseEvent => ({ type: "tool_call_started", index, name });
/** A parameter's delta (when it has text) and its completion. */
function arg(index: number, name: string, parameter: string, raw: string, value: unknown): M2ParseEvent[] {
  const complete: M2ParseEvent = { type: "tool_call_argument", index, name, parameter, complete: true, raw, value };
  if (raw === "") return [complete];
  return [{ type: "tool_call_argument", index, name, parameter, complete: false, value_delta: raw }, complete];
}
/** Deltas of a value the stream cut off: no completion. */
const cut = (index: number, name: string, parameter: string, text: string): M2ParseEvent => ({
  type: "tool_call_argument",
  index,
  name,
  parameter,
  complete: false,
  value_delta: text,
});
function completed(index: number, name: string, args: Record<string, unknown>, error?: M2ParseErrorInfo): M2ParseEvent {
  return error === undefined
    ? { type: "tool_call_completed", index, name, arguments: args }
    : { type: "tool_call_completed", index, name, arguments: args, error };
}
const fail = (code: M2ParseErrorCode, message: string): M2ParseErrorInfo => ({ code, message });
const err = (code: M2ParseErrorCode, message: string, raw: string): M2ParseEvent => ({ type: "parse_error", code, message, raw });
const done = (finish_reason: M2FinishReason): M2ParseEvent => ({ type: "done", finish_reason });

const NS_DROPPED = "a namespace token outside a tool call block was dropped";
const STRAY = "text inside a tool call block, outside any value, was dropped";
const ENDED = "the output ended inside a tool call block";

const deepItems = (levels: number): string => `${`${NS}<item>`.repeat(levels)}x${`${NS}</item>`.repeat(levels)}`;

export const m3ParserFixtures: readonly M3ParserFixture[] = [
  {
    name: "plain answer, adaptive, no thinking",
    raw: "</mm:think>Hello there.\nSecond line.",
    expected: [c("Hello there.\nSecond line."), done("stop")],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "adaptive: the model chooses to think",
    raw: "<mm:think>Let me think.\n2+2 is 4.</mm:think>The answer is **4**.",
    expected: [r("Let me think.\n2+2 is 4."), c("The answer is **4**."), done("stop")],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "adaptive: no marker at all is content",
    raw: "Just text, no marker <b>bold</b> and <mm:think> as text.",
    expected: [c("Just text, no marker <b>bold</b> and <mm:think> as text."), done("stop")],
    roundTrips: true,
  },
  {
    name: "enabled: output starts in reasoning, edge newlines kept",
    thinkingMode: "enabled",
    raw: "\nReasoning here.\n</mm:think>\n\nAnswer",
    expected: [r("\nReasoning here.\n"), c("\n\nAnswer"), done("stop")],
    roundTrips: true,
  },
  {
    name: "enabled: a repeated <mm:think> is tolerated",
    thinkingMode: "enabled",
    raw: "<mm:think>R</mm:think>A",
    expected: [r("R"), c("A"), done("stop")],
  },
  {
    name: "disabled: content, a repeated </mm:think> is tolerated",
    thinkingMode: "disabled",
    raw: "</mm:think>Only the answer.",
    expected: [c("Only the answer."), done("stop")],
  },
  {
    name: "disabled: content from the first token",
    thinkingMode: "disabled",
    raw: "Only the answer.",
    expected: [c("Only the answer."), done("stop")],
  },
  {
    name: "one call typed by the schema",
    tools: [weather],
    raw: `<mm:think>Need weather.</mm:think>Checking.${OPEN}${invoke("get_weather", el("city", "Paris") + el("days", "3"))}${CLOSE}`,
    expected: [
      r("Need weather."),
      c("Checking."),
      started(0, "get_weather"),
      ...arg(0, "get_weather", "city", "Paris", "Paris"),
      ...arg(0, "get_weather", "days", "3", 3),
      completed(0, "get_weather", { city: "Paris", days: 3 }),
      done("tool_calls"),
    ],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "nested list of mappings, a mapping and a string list",
    tools: [editFiles],
    raw:
      `</mm:think>${OPEN}` +
      invoke(
        "edit_files",
        el("edits", el("item", el("path", "a.ts") + el("line", "3") + el("text", "x < y && z")) + el("item", el("path", "b.ts") + el("text", ""))) +
          el("options", el("dry_run", "false") + el("ratio", "0.25")) +
          el("tags", el("item", "1") + el("item", "two")),
      ) +
      CLOSE,
    expected: [
      started(0, "edit_files"),
      ...arg(
        0,
        "edit_files",
        "edits",
        el("item", el("path", "a.ts") + el("line", "3") + el("text", "x < y && z")) + el("item", el("path", "b.ts") + el("text", "")),
        [{ path: "a.ts", line: 3, text: "x < y && z" }, { path: "b.ts", text: "" }],
      ),
      ...arg(0, "edit_files", "options", el("dry_run", "false") + el("ratio", "0.25"), { dry_run: false, ratio: 0.25 }),
      ...arg(0, "edit_files", "tags", el("item", "1") + el("item", "two"), ["1", "two"]),
      completed(0, "edit_files", {
        edits: [{ path: "a.ts", line: 3, text: "x < y && z" }, { path: "b.ts", text: "" }],
        options: { dry_run: false, ratio: 0.25 },
        tags: ["1", "two"],
      }),
      done("tool_calls"),
    ],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "two calls in one block, text after the block is content",
    tools: [weather],
    raw: `</mm:think>Both.${OPEN}${invoke("get_weather", el("city", "Paris"))}${invoke("get_weather", el("city", "Tokyo"))}${CLOSE}Done.`,
    expected: [
      c("Both."),
      started(0, "get_weather"),
      ...arg(0, "get_weather", "city", "Paris", "Paris"),
      completed(0, "get_weather", { city: "Paris" }),
      started(1, "get_weather"),
      ...arg(1, "get_weather", "city", "Tokyo", "Tokyo"),
      completed(1, "get_weather", { city: "Tokyo" }),
      c("Done."),
      done("tool_calls"),
    ],
  },
  {
    name: "two blocks: indexes run across them",
    raw: `</mm:think>${OPEN}${invoke("a", "")}${CLOSE} then ${OPEN}${invoke("b", "")}${CLOSE}`,
    expected: [started(0, "a"), completed(0, "a", {}), c(" then "), started(1, "b"), completed(1, "b", {}), done("tool_calls")],
  },
  {
    name: "no tools given: leaves stay text, structure comes from the tags",
    raw: `</mm:think>${OPEN}${invoke("anything", el("n", "5") + el("list", el("item", "1") + el("item", el("k", "v"))) + el("map", el("x", "true")))}${CLOSE}`,
    expected: [
      started(0, "anything"),
      ...arg(0, "anything", "n", "5", "5"),
      ...arg(0, "anything", "list", el("item", "1") + el("item", el("k", "v")), ["1", { k: "v" }]),
      ...arg(0, "anything", "map", el("x", "true"), { x: "true" }),
      completed(0, "anything", { n: "5", list: ["1", { k: "v" }], map: { x: "true" } }),
      done("tool_calls"),
    ],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "empty values: the schema says list, mapping or string",
    tools: [kinds],
    raw: `</mm:think>${OPEN}${invoke("kinds", el("list", "") + el("map", "") + el("text", ""))}${CLOSE}`,
    expected: [
      started(0, "kinds"),
      ...arg(0, "kinds", "list", "", []),
      ...arg(0, "kinds", "map", "", {}),
      ...arg(0, "kinds", "text", "", ""),
      completed(0, "kinds", { list: [], map: {}, text: "" }),
      done("tool_calls"),
    ],
  },
  {
    name: "JSON the model wrote for structured parameters is accepted",
    tools: [kinds],
    raw: `</mm:think>${OPEN}${invoke("kinds", el("list", "[1, 2]") + el("map", '{"a": 1}'))}${CLOSE}`,
    expected: [
      started(0, "kinds"),
      ...arg(0, "kinds", "list", "[1, 2]", [1, 2]),
      ...arg(0, "kinds", "map", '{"a": 1}', { a: 1 }),
      completed(0, "kinds", { list: [1, 2], map: { a: 1 } }),
      done("tool_calls"),
    ],
  },
  {
    name: "pretty-printed tags: whitespace between tags is layout",
    tools: [kinds],
    raw: `</mm:think>${OPEN}  ${NS}<invoke name="kinds">\n  ${NS}<list>\n    ${el("item", "1")}\n    ${el("item", " 2 ")}\n  ${NS}</list>\n  ${el("count", "\n7\n")}\n${NS}</invoke>\n${CLOSE}`,
    expected: [
      started(0, "kinds"),
      ...arg(0, "kinds", "list", `\n    ${el("item", "1")}\n    ${el("item", " 2 ")}\n  `, [1, 2]),
      ...arg(0, "kinds", "count", "\n7\n", 7),
      completed(0, "kinds", { list: [1, 2], count: 7 }),
      done("tool_calls"),
    ],
  },
  {
    name: "a string value keeps any markup up to its own close tag",
    tools: [kinds],
    raw: `</mm:think>${OPEN}${invoke("kinds", el("text", `a ${NS}<item>b${NS}</item> </invoke> <mm:think> ${NS}</other>`))}${CLOSE}`,
    expected: [
      started(0, "kinds"),
      ...arg(0, "kinds", "text", `a ${NS}<item>b${NS}</item> </invoke> <mm:think> ${NS}</other>`, `a ${NS}<item>b${NS}</item> </invoke> <mm:think> ${NS}</other>`),
      completed(0, "kinds", { text: `a ${NS}<item>b${NS}</item> </invoke> <mm:think> ${NS}</other>` }),
      done("tool_calls"),
    ],
    roundTrips: true,
    canonical: true,
  },
  {
    name: "unions, nested lists of numbers, and a text that is not an integer",
    tools: [kinds],
    raw: `</mm:think>${OPEN}${invoke("kinds", el("either", "12") + el("nested", el("item", el("item", "1.5") + el("item", "-2e-3"))) + el("count", "many"))}${CLOSE}`,
    expected: [
      started(0, "kinds"),
      // A union with a string alternative takes the text as is (llama.cpp's resolves_to_string).
      ...arg(0, "kinds", "either", "12", "12"),
      ...arg(0, "kinds", "nested", el("item", el("item", "1.5") + el("item", "-2e-3")), [[1.5, -0.002]]),
      ...arg(0, "kinds", "count", "many", "many"),
      completed(0, "kinds", { either: "12", nested: [[1.5, -0.002]], count: "many" }),
      done("tool_calls"),
    ],
  },
  {
    name: "parameter and member named __proto__ stay data",
    raw: `</mm:think>${OPEN}${invoke("f", el("__proto__", el("__proto__", "x")))}${CLOSE}`,
    expected: [
      started(0, "f"),
      ...arg(0, "f", "__proto__", el("__proto__", "x"), JSON.parse('{"__proto__": "x"}')),
      completed(0, "f", JSON.parse('{"__proto__": {"__proto__": "x"}}') as Record<string, unknown>),
      done("tool_calls"),
    ],
  },
  {
    name: "unknown tool",
    tools: [weather],
    raw: `</mm:think>${OPEN}${invoke("launch", el("x", "1"))}${CLOSE}`,
    expected: [started(0, "launch"), ...arg(0, "launch", "x", "1", "1"), completed(0, "launch", { x: "1" }, fail("unknown_tool", 'unknown tool "launch"')), done("stop")],
  },
  {
    name: "unknown parameter fails the call",
    tools: [weather],
    raw: `</mm:think>${OPEN}${invoke("get_weather", el("city", "Paris") + el("country", "FR"))}${CLOSE}`,
    expected: [
      started(0, "get_weather"),
      ...arg(0, "get_weather", "city", "Paris", "Paris"),
      ...arg(0, "get_weather", "country", "FR", "FR"),
      completed(0, "get_weather", { city: "Paris", country: "FR" }, fail("unknown_parameter", 'unknown parameter "country" for tool "get_weather"')),
      done("stop"),
    ],
  },
  {
    name: "invoke without a name",
    raw: `</mm:think>${OPEN}${NS}<invoke>${el("x", "1")}${NS}</invoke>\n${CLOSE}`,
    expected: [started(0, ""), ...arg(0, "", "x", "1", "1"), completed(0, "", { x: "1" }, fail("malformed_tag", "<invoke> has no name")), done("stop")],
  },
  {
    name: "stream cut inside a value",
    tools: [weather],
    raw: `</mm:think>${OPEN}${invoke("get_weather", el("city", "Paris"))}${NS}<invoke name="get_weather">${NS}<city>Tok`,
    expected: [
      started(0, "get_weather"),
      ...arg(0, "get_weather", "city", "Paris", "Paris"),
      completed(0, "get_weather", { city: "Paris" }),
      started(1, "get_weather"),
      cut(1, "get_weather", "city", "Tok"),
      completed(1, "get_weather", {}, fail("unclosed_tool_call", 'the output ended before the value of "city" was complete')),
      err("unclosed_tool_call", ENDED, `${NS}<tool_call>\n${invoke("get_weather", el("city", "Paris"))}${NS}<invoke name="get_weather">${NS}<city>Tok`),
      done("tool_calls"),
    ],
  },
  {
    name: "stream cut inside the invoke tag, by the length limit",
    reason: "length",
    raw: `Let me call.${OPEN}${NS}<invoke name="get_w`,
    expected: [
      c("Let me call."),
      started(0, ""),
      completed(0, "", {}, fail("unclosed_tool_call", "the output ended before a complete <invoke name=...> tag")),
      err("unclosed_tool_call", ENDED, `${OPEN}${NS}<invoke name="get_w`),
      done("length"),
    ],
  },
  {
    name: "stream cut right after the block opened",
    raw: `</mm:think>${NS}<tool_call>`,
    expected: [
      started(0, ""),
      completed(0, "", {}, fail("unclosed_tool_call", "the output ended before a complete <invoke name=...> tag")),
      err("unclosed_tool_call", ENDED, `${NS}<tool_call>`),
      done("stop"),
    ],
  },
  {
    name: "block closed before </invoke>",
    raw: `</mm:think>${OPEN}${NS}<invoke name="f">${el("a", "1")}${CLOSE}`,
    expected: [started(0, "f"), ...arg(0, "f", "a", "1", "1"), completed(0, "f", { a: "1" }, fail("unclosed_invoke", "</tool_call> arrived before </invoke>")), done("stop")],
  },
  {
    name: "next invoke before </invoke>",
    raw: `</mm:think>${OPEN}${NS}<invoke name="f">${el("a", "1")}${invoke("g", "")}${CLOSE}`,
    expected: [
      started(0, "f"),
      ...arg(0, "f", "a", "1", "1"),
      completed(0, "f", { a: "1" }, fail("unclosed_invoke", "the next <invoke> arrived before </invoke>")),
      started(1, "g"),
      completed(1, "g", {}),
      done("tool_calls"),
    ],
  },
  {
    name: "a value never closed before </invoke> is dropped and fails the call",
    tools: [weather],
    raw: `</mm:think>${OPEN}${NS}<invoke name="get_weather">${NS}<city>Paris${NS}</invoke>\n${CLOSE}`,
    expected: [
      started(0, "get_weather"),
      cut(0, "get_weather", "city", "Paris"),
      completed(0, "get_weather", {}, fail("malformed_tag", '</invoke> arrived before the value of "city" was closed')),
      done("stop"),
    ],
  },
  {
    name: "a structured value never closed before </tool_call>",
    raw: `</mm:think>${OPEN}${NS}<invoke name="f">${NS}<list>${el("item", "1")}${CLOSE}after`,
    expected: [
      started(0, "f"),
      cut(0, "f", "list", el("item", "1")),
      completed(0, "f", {}, fail("malformed_tag", '</tool_call> arrived before the value of "list" was closed')),
      c("after"),
      done("stop"),
    ],
  },
  {
    name: "a close tag that closes nothing open, and a non-item in a list",
    tools: [kinds],
    raw: `</mm:think>${OPEN}${invoke("kinds", el("list", el("item", "1") + `${NS}</map>` + el("entry", "2")))}${CLOSE}`,
    expected: [
      started(0, "kinds"),
      cut(0, "kinds", "list", el("item", "1") + `${NS}</map>`),
      err("unexpected_text", STRAY, `${NS}</map>`),
      cut(0, "kinds", "list", el("entry", "2")),
      { type: "tool_call_argument", index: 0, name: "kinds", parameter: "list", complete: true, raw: el("item", "1") + `${NS}</map>` + el("entry", "2"), value: [1, 2] },
      completed(0, "kinds", { list: [1, 2] }, fail("malformed_tag", "</map> does not close the open <list>")),
      done("stop"),
    ],
  },
  {
    name: "stray text in a block and in a list is dropped",
    tools: [kinds],
    raw: `</mm:think>${OPEN}I will call:\n${invoke("kinds", el("list", `${el("item", "1")} and ${el("item", "2")}`))}${CLOSE}`,
    expected: [
      err("unexpected_text", STRAY, "I will call:"),
      started(0, "kinds"),
      cut(0, "kinds", "list", `${el("item", "1")} and `),
      err("unexpected_text", STRAY, "and"),
      cut(0, "kinds", "list", el("item", "2")),
      { type: "tool_call_argument", index: 0, name: "kinds", parameter: "list", complete: true, raw: `${el("item", "1")} and ${el("item", "2")}`, value: [1, 2] },
      completed(0, "kinds", { list: [1, 2] }),
      done("tool_calls"),
    ],
  },
  {
    name: "a namespace token in content or reasoning is dropped with an error",
    raw: `<mm:think>Think ${NS} more</mm:think>Say ${NS}<tool> and ${NS}`,
    expected: [
      r("Think "),
      err("unexpected_text", NS_DROPPED, NS),
      r(" more"),
      c("Say "),
      err("unexpected_text", NS_DROPPED, NS),
      c("<tool> and "),
      err("unexpected_text", NS_DROPPED, NS),
      done("stop"),
    ],
  },
  {
    name: "</mm:think> in content is dropped",
    raw: "<mm:think>a</mm:think>b</mm:think>c",
    expected: [r("a"), c("b"), err("unexpected_think_end", "</mm:think> after reasoning had ended was dropped", "</mm:think>"), c("c"), done("stop")],
  },
  {
    name: "a tool block inside reasoning closes it (missing </mm:think>)",
    thinkingMode: "enabled",
    tools: [weather],
    raw: `I'll check.${OPEN}${invoke("get_weather", el("city", "Oslo"))}${CLOSE}`,
    expected: [
      r("I'll check."),
      err("missing_think_end", "a tool call began before </mm:think>; reasoning was closed there", `${NS}<tool_call>`),
      started(0, "get_weather"),
      ...arg(0, "get_weather", "city", "Oslo", "Oslo"),
      completed(0, "get_weather", { city: "Oslo" }),
      done("tool_calls"),
    ],
  },
  {
    name: "nesting past 128 levels keeps the text and fails the call",
    raw: `</mm:think>${OPEN}${invoke("f", el("v", deepItems(129)))}${CLOSE}`,
    expected: [
      started(0, "f"),
      ...arg(0, "f", "v", deepItems(129), deepItems(129)),
      completed(0, "f", { v: deepItems(129) }, fail("argument_too_deep", 'the value of "v" nests deeper than 128 levels')),
      done("stop"),
    ],
  },
  {
    name: "nesting of exactly 128 levels is a value",
    raw: `</mm:think>${OPEN}${invoke("f", el("v", deepItems(128)))}${CLOSE}`,
    expected: [
      started(0, "f"),
      // <v> is the outermost list and the innermost <item> holds the text: 128 lists.
      ...arg(0, "f", "v", deepItems(128), JSON.parse(`${"[".repeat(128)}"x"${"]".repeat(128)}`)),
      completed(0, "f", { v: JSON.parse(`${"[".repeat(128)}"x"${"]".repeat(128)}`) }),
      done("tool_calls"),
    ],
  },
  {
    name: "a namespace token not starting a tag inside a block is stray",
    raw: `</mm:think>${OPEN}${NS}oops\n${invoke("f", "")}${CLOSE}`,
    expected: [err("unexpected_text", STRAY, `${NS}oops`), started(0, "f"), completed(0, "f", {}), done("tool_calls")],
  },
];
