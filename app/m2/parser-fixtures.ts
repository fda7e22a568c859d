import type {
  M2EndReason,
  M2FinishReason,
  M2ParseErrorCode,
  M2ParseErrorInfo,
  M2ParseEvent,
} from "./parser-events";
import type { ToolDefinition } from "./types";

/**
 * Model outputs with the events the parser must produce for them, adjacent deltas joined
 * (see joinM2Events). `raw` is what the model generates after the prompt's "<think>\n".
 */
export interface M2ParserFixture {
  name: string;
  /** What the case pins down. */
  note: string;
  raw: string;
  tools?: ToolDefinition[];
  /** How generation ended; "stop" when absent. */
  reason?: M2EndReason;
  expected: M2ParseEvent[];
  /** Well-formed: re-rendering the parsed message by the chat template parses back the same. */
  roundTrips?: boolean;
}

function tool(name: string, properties: Record<string, unknown>): ToolDefinition {
  return { type: "function", function: { name, parameters: { type: "object", properties } } };
}

const weatherTool = tool("get_weather", { city: { type: "string" }, days: { type: "integer" } });
const writeFileTool = tool("write_file", { path: { type: "string" }, content: { type: "string" } });
const typesTool = tool("record_types", {
  text: { type: "string" },
  count: { type: "integer" },
  ratio: { type: "number" },
  enabled: { type: "boolean" },
  off: { type: "bool" },
  options: { type: "object" },
  tags: { type: "array", items: { type: "string" } },
  nothing: { type: "string" },
});
const edgeTool = tool("edge_values", {
  yes: { type: "boolean" },
  shout: { type: "boolean" },
  big: { type: "integer" },
  padded: { type: "integer" },
  float_int: { type: "integer" },
  sci: { type: "number" },
  neg_zero: { type: "number" },
  nan: { type: "number" },
  bad_array: { type: "array" },
  bad_object: { type: "object" },
  scalar_object: { type: "object" },
});
const unionTool = tool("unions", {
  maybe_null: { type: ["integer", "null"] },
  maybe_text: { type: ["integer", "null"] },
  any_of: { anyOf: [{ type: "number" }, { type: "string" }] },
  str_or_bool: { type: ["string", "boolean"] },
  obj_or_str: { type: ["object", "string"] },
  arr_or_str: { oneOf: [{ type: "array" }, { type: "string" }] },
});
const weatherTools = [weatherTool];

const reasoning = (text: string): M2ParseEvent => ({ type: "reasoning_delta", text });
const content = (text: string): M2ParseEvent => ({ type: "content_delta", text });
const done = (finish_reason: M2FinishReason): M2ParseEvent => ({ type: "done", finish_reason });

const PARSE_MESSAGES: Partial<Record<M2ParseErrorCode, string>> = {
  unclosed_tool_call: "the output ended inside a <minimax:tool_call> block",
  unexpected_text: "text inside a tool call block, outside any tag, was dropped",
  missing_think_end: "a tool call began before </think>; reasoning was closed there",
  unexpected_think_end: "</think> after reasoning had ended was dropped",
};
function parseError(code: M2ParseErrorCode, raw: string): M2ParseEvent {
  return { type: "parse_error", code, message: PARSE_MESSAGES[code] ?? "", raw };
}

/** [parameter name, raw text, typed value] */
type Param = [string, string, unknown];

/** The events of one call: started, each parameter's joined delta and completion, completed. */
function call(index: number, name: string, params: Param[], error?: M2ParseErrorInfo): M2ParseEvent[] {
  const events: M2ParseEvent[] = [{ type: "tool_call_started", index, name }];
  const args: Record<string, unknown> = {};
  for (const [parameter, raw, value] of params) {
    if (raw !== "") events.push({ type: "tool_call_argument", index, name, parameter, complete: false, value_delta: raw });
    events.push({ type: "tool_call_argument", index, name, parameter, complete: true, raw, value });
    if (parameter !== "") args[parameter] = value;
  }
  events.push(
    error === undefined
      ? { type: "tool_call_completed", index, name, arguments: args }
      : { type: "tool_call_completed", index, name, arguments: args, error },
  );
  return events;
}

function invoke(name: string, params: [string, string][]): string {
  const body = params.map(([key, value]) => `<parameter name="${key}">${value}</parameter>\n`).join("");
  return `<invoke name="${name}">\n${body}</invoke>\n`;
}

function block(...invokes: string[]): string {
  return `<minimax:tool_call>\n${invokes.join("")}</minimax:tool_call>`;
}

/** `depth` arrays, one inside the other. */
function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}

const unclosedBlockInParam =
  '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">a.txt</parameter>\n<parameter name="content">partial text';
const unclosedBlockBeforeInvokeEnd =
  '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">a.txt</parameter>\n<parameter name="content">all of it</parameter>\n';
const unclosedBlockAfterInvoke = `<minimax:tool_call>\n${invoke("get_weather", [["city", "Oslo"]])}`;
const fencedExample = `\`\`\`xml\n${block(invoke("get_weather", [["city", "Paris"]]))}\n\`\`\``;

export const m2ParserFixtures: M2ParserFixture[] = [
  {
    name: "plain_markdown_answer",
    note: "markdown and a fenced code block with < and & pass through as content",
    raw:
      'The user wants a Python hello world.\n</think>\n\n# Hello\n\nHere is **the** code:\n\n```python\nprint("hi")  # <tag> & stuff\n```\n\n- done\n',
    expected: [
      reasoning("The user wants a Python hello world."),
      content('# Hello\n\nHere is **the** code:\n\n```python\nprint("hi")  # <tag> & stuff\n```\n\n- done\n'),
      done("stop"),
    ],
    roundTrips: true,
  },
  {
    name: "reasoning_only_unclosed",
    note: "no </think> before the length limit: everything is reasoning, finish is length",
    raw: "Step 1: read the question.\nStep 2: weigh <b>bold</b> options\n",
    reason: "length",
    expected: [reasoning("Step 1: read the question.\nStep 2: weigh <b>bold</b> options\n"), done("length")],
  },
  {
    name: "typed_call_every_json_type",
    note: "values typed by schema: string, integer, number, boolean (and the bool alias), object, array, null",
    tools: [typesTool],
    raw: `Need to record.\n</think>\n\n${block(
      invoke("record_types", [
        ["text", "hello world"],
        ["count", "42"],
        ["ratio", "0.75"],
        ["enabled", "True"],
        ["off", "0"],
        ["options", '{"mode": "fast", "depth": 2}'],
        ["tags", '["a", "b"]'],
        ["nothing", "null"],
      ]),
    )}`,
    expected: [
      reasoning("Need to record."),
      ...call(0, "record_types", [
        ["text", "hello world", "hello world"],
        ["count", "42", 42],
        ["ratio", "0.75", 0.75],
        ["enabled", "True", true],
        ["off", "0", false],
        ["options", '{"mode": "fast", "depth": 2}', { mode: "fast", depth: 2 }],
        ["tags", '["a", "b"]', ["a", "b"]],
        ["nothing", "null", null],
      ]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "parallel_tool_calls",
    note: "two invokes in one block get indexes 0 and 1; the newline before the block is markup",
    tools: weatherTools,
    raw: `Two cities, two calls.\n</think>\n\nI'll check both cities.\n${block(
      invoke("get_weather", [["city", "Paris"], ["days", "3"]]),
      invoke("get_weather", [["city", "Tokyo"], ["days", "1"]]),
    )}`,
    expected: [
      reasoning("Two cities, two calls."),
      content("I'll check both cities."),
      ...call(0, "get_weather", [["city", "Paris", "Paris"], ["days", "3", 3]]),
      ...call(1, "get_weather", [["city", "Tokyo", "Tokyo"], ["days", "1", 1]]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "multiline_string_values",
    note: "one leading and one trailing newline are trimmed; indentation and blank lines stay",
    tools: [writeFileTool],
    raw: `Write it.\n</think>\n\n${block(
      invoke("write_file", [
        ["path", "\n  spaced name.py  \n"],
        ["content", "\n    indented first line\ndef f():\n    return 1\n\n\nprint(f())\n\n"],
      ]),
    )}`,
    expected: [
      reasoning("Write it."),
      ...call(0, "write_file", [
        ["path", "  spaced name.py  ", "  spaced name.py  "],
        [
          "content",
          "    indented first line\ndef f():\n    return 1\n\n\nprint(f())\n",
          "    indented first line\ndef f():\n    return 1\n\n\nprint(f())\n",
        ],
      ]),
      done("tool_calls"),
    ],
    // The template writes values without edge newlines, so "...\n" comes back without it.
  },
  {
    name: "values_with_lt_and_amp",
    note: "inside a value only </parameter> is markup: <, &, entities, </invoke> and near-miss tags stay raw",
    tools: [writeFileTool],
    raw: `Careful with markup.\n</think>\n\n${block(
      invoke("write_file", [
        ["path", "notes/<draft>&co </parameter-ish>.md"],
        ["content", 'if (a < b && c > d) {\n  html = "<div>&amp;</div></invoke>";\n}\n<parameter name="x">'],
      ]),
    )}`,
    expected: [
      reasoning("Careful with markup."),
      ...call(0, "write_file", [
        ["path", "notes/<draft>&co </parameter-ish>.md", "notes/<draft>&co </parameter-ish>.md"],
        [
          "content",
          'if (a < b && c > d) {\n  html = "<div>&amp;</div></invoke>";\n}\n<parameter name="x">',
          'if (a < b && c > d) {\n  html = "<div>&amp;</div></invoke>";\n}\n<parameter name="x">',
        ],
      ]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "cjk_and_emoji",
    note: "non-ASCII text in reasoning, content, names of values; splits inside surrogate pairs rejoin",
    tools: weatherTools,
    raw: `用户想知道天气。🤔\n</think>\n\n好的，我来查一下 🌦️\n${block(invoke("get_weather", [["city", "北京 🏙️"], ["days", "2"]]))}`,
    expected: [
      reasoning("用户想知道天气。🤔"),
      content("好的，我来查一下 🌦️"),
      ...call(0, "get_weather", [["city", "北京 🏙️", "北京 🏙️"], ["days", "2", 2]]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "unclosed_block_mid_parameter",
    note: "cut off inside a value: the open call fails with unclosed_tool_call, the block's text is reported",
    tools: [writeFileTool],
    reason: "length",
    raw: `Writing.\n</think>\n\n${unclosedBlockInParam}`,
    expected: [
      reasoning("Writing."),
      { type: "tool_call_started", index: 0, name: "write_file" },
      { type: "tool_call_argument", index: 0, name: "write_file", parameter: "path", complete: false, value_delta: "a.txt" },
      { type: "tool_call_argument", index: 0, name: "write_file", parameter: "path", complete: true, raw: "a.txt", value: "a.txt" },
      {
        type: "tool_call_argument",
        index: 0,
        name: "write_file",
        parameter: "content",
        complete: false,
        value_delta: "partial text",
      },
      {
        type: "tool_call_completed",
        index: 0,
        name: "write_file",
        arguments: { path: "a.txt" },
        error: { code: "unclosed_tool_call", message: 'the output ended before the value of "content" was complete' },
      },
      parseError("unclosed_tool_call", unclosedBlockInParam),
      done("length"),
    ],
  },
  {
    name: "unclosed_block_before_invoke_end",
    note: "cut after every value but before </invoke>: the arguments look whole, yet the call fails",
    tools: [writeFileTool],
    raw: `Writing.\n</think>\n\n${unclosedBlockBeforeInvokeEnd}`,
    expected: [
      reasoning("Writing."),
      ...call(0, "write_file", [["path", "a.txt", "a.txt"], ["content", "all of it", "all of it"]], {
        code: "unclosed_tool_call",
        message: "the output ended before </invoke>, so the call may be incomplete",
      }),
      parseError("unclosed_tool_call", unclosedBlockBeforeInvokeEnd),
      done("stop"),
    ],
  },
  {
    name: "unclosed_block_after_invoke",
    note: "a finished invoke stays valid when </minimax:tool_call> never comes; the block is still reported",
    tools: weatherTools,
    raw: `Checking.\n</think>\n\n${unclosedBlockAfterInvoke}`,
    expected: [
      reasoning("Checking."),
      ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]),
      parseError("unclosed_tool_call", unclosedBlockAfterInvoke),
      done("tool_calls"),
    ],
  },
  {
    name: "unknown_tool",
    note: "a name not in tools is still emitted, untyped (text, null for null), and flagged",
    tools: weatherTools,
    raw: `Let me launch.\n</think>\n\n${block(invoke("launch_rocket", [["target", "moon"], ["count", "3"], ["crew", "null"]]))}`,
    expected: [
      reasoning("Let me launch."),
      ...call(
        0,
        "launch_rocket",
        [["target", "moon", "moon"], ["count", "3", "3"], ["crew", "null", null]],
        { code: "unknown_tool", message: 'unknown tool "launch_rocket"' },
      ),
      done("stop"),
    ],
  },
  {
    name: "invalid_json_for_array_and_object",
    note: "array/object values that are not JSON fall back to their text, without failing the call",
    tools: [typesTool],
    raw: `Search.\n</think>\n\n${block(
      invoke("record_types", [
        ["tags", '["OpenAI", "latest'],
        ["options", "{mode: fast}"],
        ["count", "many"],
      ]),
    )}`,
    expected: [
      reasoning("Search."),
      ...call(0, "record_types", [
        ["tags", '["OpenAI", "latest', '["OpenAI", "latest'],
        ["options", "{mode: fast}", "{mode: fast}"],
        ["count", "many", "many"],
      ]),
      done("tool_calls"),
    ],
  },
  {
    name: "tags_mentioned_in_reasoning",
    note: "<invoke>, </parameter> and a mid-line <minimax:tool_call> while thinking are reasoning text",
    tools: weatherTools,
    raw:
      'I could call <invoke name="get_weather"> with <parameter name="city">Paris</parameter>, then </invoke>.\n<invoke name="x">\n</parameter>\nThe format wraps calls in `<minimax:tool_call>` tags.\n</think>\n\nIt is sunny.',
    expected: [
      reasoning(
        'I could call <invoke name="get_weather"> with <parameter name="city">Paris</parameter>, then </invoke>.\n<invoke name="x">\n</parameter>\nThe format wraps calls in `<minimax:tool_call>` tags.',
      ),
      content("It is sunny."),
      done("stop"),
    ],
    roundTrips: true,
  },
  {
    name: "tool_tags_inside_code_fences",
    note: "a ``` fenced example and a ~~~ fenced </think> stay content; a block after the fence closes is a call",
    tools: weatherTools,
    raw: `Explain, then call.\n</think>\n\nHere is how a call looks:\n\n${fencedExample}\n\nA stray end tag, fenced:\n~~~\n</think>\n~~~\nNow for real:\n${block(invoke("get_weather", [["city", "Rome"]]))}`,
    expected: [
      reasoning("Explain, then call."),
      content(`Here is how a call looks:\n\n${fencedExample}\n\nA stray end tag, fenced:\n~~~\n</think>\n~~~\nNow for real:`),
      ...call(0, "get_weather", [["city", "Rome", "Rome"]]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "mid_line_tool_block",
    note: "a tool block may start mid-line, as the reference accepts it: the text before it is content",
    tools: weatherTools,
    raw: `Checking.\n</think>\n\nLet me check.${block(invoke("get_weather", [["city", "Oslo"]]))}`,
    expected: [
      reasoning("Checking."),
      content("Let me check."),
      ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "mid_line_tool_block_after_inline_code",
    note: "a closed `span`, and an unclosed backtick on an earlier line, do not quote a later tag",
    tools: weatherTools,
    raw: `Go.\n</think>\n\nA lone \` backtick.\nRun \`\`ls\`\` first, then${block(invoke("get_weather", [["city", "Rome"]]))}`,
    expected: [
      reasoning("Go."),
      content("A lone ` backtick.\nRun ``ls`` first, then"),
      ...call(0, "get_weather", [["city", "Rome", "Rome"]]),
      done("tool_calls"),
    ],
    roundTrips: true,
  },
  {
    name: "inline_code_tool_tag_mention",
    note: "a tag (and </think>) in `inline code` (any run length, even before the span closes) or a fence's info string is text",
    tools: weatherTools,
    raw:
      "Explain.\n</think>\n\nWrap calls in `<minimax:tool_call>` tags, or ``a `<minimax:tool_call>` here``.\n" +
      "```<minimax:tool_call>``` too; an open `<minimax:tool_call> span counts as code.\n~~~<minimax:tool_call>\n~~~\nDone, `</think>` included.",
    expected: [
      reasoning("Explain."),
      content(
        "Wrap calls in `<minimax:tool_call>` tags, or ``a `<minimax:tool_call>` here``.\n" +
          "```<minimax:tool_call>``` too; an open `<minimax:tool_call> span counts as code.\n~~~<minimax:tool_call>\n~~~\nDone, `</think>` included.",
      ),
      done("stop"),
    ],
    roundTrips: true,
  },
  {
    name: "bare_tool_tag_mention_opens_a_block",
    note: "documented trade-off, as in the reference: an unquoted tag in content is a call; cut off, it fails, nameless",
    tools: weatherTools,
    raw: "Explain.\n</think>\n\nWrap calls in <minimax:tool_call> tags.",
    expected: [
      reasoning("Explain."),
      content("Wrap calls in "),
      { type: "tool_call_started", index: 0, name: "" },
      {
        type: "tool_call_completed",
        index: 0,
        name: "",
        arguments: {},
        error: { code: "unclosed_tool_call", message: "the output ended before a complete <invoke name=...> tag" },
      },
      parseError("unclosed_tool_call", "<minimax:tool_call> tags."),
      done("stop"),
    ],
  },
  {
    name: "unclosed_block_in_invoke_tag",
    note: "cut inside an <invoke> tag after a finished call: that call stays valid, the cut one fails, nameless",
    tools: weatherTools,
    reason: "length",
    raw: `Two.\n</think>\n\n<minimax:tool_call>\n${invoke("get_weather", [["city", "Oslo"]])}<invoke name="get_wea`,
    expected: [
      reasoning("Two."),
      ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]),
      { type: "tool_call_started", index: 1, name: "" },
      {
        type: "tool_call_completed",
        index: 1,
        name: "",
        arguments: {},
        error: { code: "unclosed_tool_call", message: "the output ended before a complete <invoke name=...> tag" },
      },
      parseError("unclosed_tool_call", `<minimax:tool_call>\n${invoke("get_weather", [["city", "Oslo"]])}<invoke name="get_wea`),
      done("length"),
    ],
  },
  {
    name: "argument_nested_too_deep",
    note: "JSON nested past MAX_JSON_DEPTH (128) stays text and fails the call; 128 levels still parse",
    tools: [typesTool],
    raw: `Deep.\n</think>\n\n${block(
      invoke("record_types", [
        ["tags", `${"[".repeat(128)}${"]".repeat(128)}`],
        ["options", `{"a":${"[".repeat(128)}${"]".repeat(128)}}`],
      ]),
    )}`,
    expected: [
      reasoning("Deep."),
      ...call(
        0,
        "record_types",
        [
          ["tags", `${"[".repeat(128)}${"]".repeat(128)}`, nested(128)],
          ["options", `{"a":${"[".repeat(128)}${"]".repeat(128)}}`, `{"a":${"[".repeat(128)}${"]".repeat(128)}}`],
        ],
        { code: "argument_too_deep", message: 'the value of "options" nests deeper than 128 levels' },
      ),
      done("stop"),
    ],
  },
  {
    name: "unclosed_fence_keeps_tool_block_as_text",
    note: "documented trade-off: inside a fence the model never closed, a tool block is content",
    tools: weatherTools,
    raw: `Code.\n</think>\n\n\`\`\`js\nconst a = 1;\n${block(invoke("get_weather", [["city", "Oslo"]]))}`,
    expected: [
      reasoning("Code."),
      content(`\`\`\`js\nconst a = 1;\n${block(invoke("get_weather", [["city", "Oslo"]]))}`),
      done("stop"),
    ],
  },
  {
    name: "second_think_end",
    note: "a </think> in content is dropped with a parse_error; the text around it stays content",
    raw: "Thinking.\n</think>\n\nAnswer part one.</think>\n\nPart two.",
    expected: [
      reasoning("Thinking."),
      content("Answer part one."),
      parseError("unexpected_think_end", "</think>"),
      content("\n\nPart two."),
      done("stop"),
    ],
  },
  {
    name: "text_after_tool_block",
    note: "text after </minimax:tool_call> is content again",
    tools: weatherTools,
    raw: `Call.\n</think>\n\nChecking.\n${block(invoke("get_weather", [["city", "Lima"]]))}\nI have called the tool.`,
    expected: [
      reasoning("Call."),
      content("Checking."),
      ...call(0, "get_weather", [["city", "Lima", "Lima"]]),
      content("\nI have called the tool."),
      done("tool_calls"),
    ],
  },
  {
    name: "empty_reasoning",
    note: "</think> at once: no reasoning events",
    raw: "</think>\n\nHello!",
    expected: [content("Hello!"), done("stop")],
  },
  {
    name: "tool_call_without_think_end",
    note: "a tool block at the start of a reasoning line ends reasoning implicitly (missing_think_end)",
    tools: weatherTools,
    raw: `I should look this up.\n${block(invoke("get_weather", [["city", "Lima"]]))}`,
    expected: [
      reasoning("I should look this up."),
      parseError("missing_think_end", "<minimax:tool_call>"),
      ...call(0, "get_weather", [["city", "Lima", "Lima"]]),
      done("tool_calls"),
    ],
  },
  {
    name: "tool_call_first_thing",
    note: "output that opens with a tool block: no reasoning, the call is parsed",
    tools: weatherTools,
    raw: block(invoke("get_weather", [["city", "Kyiv"]])),
    expected: [
      parseError("missing_think_end", "<minimax:tool_call>"),
      ...call(0, "get_weather", [["city", "Kyiv", "Kyiv"]]),
      done("tool_calls"),
    ],
  },
  {
    name: "template_newline_trimming",
    note: "exactly one newline at each end of reasoning and at most two after </think> are trimmed",
    raw: "\nReasoning with a trailing blank line.\n\n</think>\n\n\nContent after three newlines.\n",
    expected: [
      reasoning("Reasoning with a trailing blank line.\n"),
      content("\nContent after three newlines.\n"),
      done("stop"),
    ],
    roundTrips: true,
  },
  {
    name: "stray_text_in_tool_block",
    note: "text between invokes is dropped and reported; the calls still parse",
    tools: weatherTools,
    raw: `Go.\n</think>\n\n<minimax:tool_call>\ncalling now\n${invoke("get_weather", [["city", "Bern"]])}and <b>junk</b>\n</minimax:tool_call>`,
    expected: [
      reasoning("Go."),
      parseError("unexpected_text", "calling now"),
      ...call(0, "get_weather", [["city", "Bern", "Bern"]]),
      parseError("unexpected_text", "and <b>junk</b>"),
      done("tool_calls"),
    ],
  },
  {
    name: "missing_invoke_close",
    note: "</minimax:tool_call> before </invoke> fails that call (unclosed_invoke)",
    tools: weatherTools,
    raw: 'Go.\n</think>\n\n<minimax:tool_call>\n<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n</minimax:tool_call>\nDone.',
    expected: [
      reasoning("Go."),
      ...call(0, "get_weather", [["city", "Paris", "Paris"]], {
        code: "unclosed_invoke",
        message: "</minimax:tool_call> arrived before </invoke>",
      }),
      content("\nDone."),
      done("stop"),
    ],
  },
  {
    name: "next_invoke_before_close",
    note: "a new <invoke> before </invoke> fails the open call and starts the next",
    tools: weatherTools,
    raw: `Go.\n</think>\n\n<minimax:tool_call>\n<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n${invoke("get_weather", [["city", "Rome"]])}</minimax:tool_call>`,
    expected: [
      reasoning("Go."),
      ...call(0, "get_weather", [["city", "Paris", "Paris"]], {
        code: "unclosed_invoke",
        message: "the next <invoke> arrived before </invoke>",
      }),
      ...call(1, "get_weather", [["city", "Rome", "Rome"]]),
      done("tool_calls"),
    ],
  },
  {
    name: "aborted_mid_content",
    note: "finish reason follows the end reason",
    reason: "abort",
    raw: "Hmm.\n</think>\n\nThe answer is\n",
    expected: [reasoning("Hmm."), content("The answer is\n"), done("abort")],
  },
  {
    name: "error_mid_reasoning",
    note: "an engine error ends the stream in reasoning",
    reason: "error",
    raw: "Half a thou",
    expected: [reasoning("Half a thou"), done("error")],
  },
  {
    name: "length_after_complete_call",
    note: "length wins over tool_calls: the block may have been cut",
    tools: weatherTools,
    reason: "length",
    raw: `Go.\n</think>\n\n${block(invoke("get_weather", [["city", "Oslo"]]))}`,
    expected: [reasoning("Go."), ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]), done("length")],
  },
  {
    name: "no_tools_option",
    note: "without a tool list no name is unknown and values stay text (null aside), as in the reference",
    raw: `Go.\n</think>\n\n${block(invoke("anything", [["x", "[1, 2]"], ["y", "NULL"]]))}`,
    expected: [
      reasoning("Go."),
      ...call(0, "anything", [["x", "[1, 2]", "[1, 2]"], ["y", "NULL", null]]),
      done("tool_calls"),
    ],
  },
  {
    name: "literal_think_open",
    note: "a <think> the model repeats at the very start is dropped",
    raw: "<think>\nEchoed opener.\n</think>\n\nOk.",
    expected: [reasoning("Echoed opener."), content("Ok."), done("stop")],
  },
  {
    name: "unknown_parameter_and_integer_fallback",
    note: "a parameter missing from the schema stays text (as the reference); a non-integer integer stays text",
    tools: weatherTools,
    raw: `Go.\n</think>\n\n${block(invoke("get_weather", [["city", "Oslo"], ["units", '{"metric": true}'], ["days", "three"]]))}`,
    expected: [
      reasoning("Go."),
      ...call(0, "get_weather", [
        ["city", "Oslo", "Oslo"],
        ["units", '{"metric": true}', '{"metric": true}'],
        ["days", "three", "three"],
      ]),
      done("tool_calls"),
    ],
  },
  {
    name: "quoted_name_variants",
    note: "name='x' and name=x work like name=\"x\"",
    tools: weatherTools,
    raw: "Go.\n</think>\n\n<minimax:tool_call>\n<invoke name='get_weather'>\n<parameter name='city'>Oslo</parameter>\n</invoke>\n<invoke name=get_weather>\n<parameter name=days>2</parameter>\n</invoke>\n</minimax:tool_call>",
    expected: [
      reasoning("Go."),
      ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]),
      ...call(1, "get_weather", [["days", "2", 2]]),
      done("tool_calls"),
    ],
  },
  {
    name: "partial_tag_at_end",
    note: "a held tag prefix is flushed as text when the stream ends",
    raw: "Hm.\n</think>\n\nAnswer ends with </thi",
    expected: [reasoning("Hm."), content("Answer ends with </thi"), done("stop")],
  },
  {
    name: "nameless_tags",
    note: "<invoke> or <parameter> without a name: parsed, reported as malformed_tag, never valid",
    tools: weatherTools,
    raw: 'Go.\n</think>\n\n<minimax:tool_call>\n<invoke>\n<parameter name="city">Paris</parameter>\n</invoke>\n<invoke name="get_weather">\n<parameter>x</parameter>\n</invoke>\n</minimax:tool_call>',
    expected: [
      reasoning("Go."),
      ...call(0, "", [["city", "Paris", "Paris"]], { code: "malformed_tag", message: "<invoke> has no name" }),
      ...call(1, "get_weather", [["", "x", "x"]], {
        code: "malformed_tag",
        message: "<parameter> has no name; its value was dropped",
      }),
      done("stop"),
    ],
  },
  {
    name: "two_tool_blocks",
    note: "call indexes continue across blocks",
    tools: weatherTools,
    raw: `Go.\n</think>\n\nFirst.\n${block(invoke("get_weather", [["city", "Oslo"]]))}\nSecond.\n${block(invoke("get_weather", [["city", "Rome"]]))}`,
    expected: [
      reasoning("Go."),
      content("First."),
      ...call(0, "get_weather", [["city", "Oslo", "Oslo"]]),
      content("\nSecond."),
      ...call(1, "get_weather", [["city", "Rome", "Rome"]]),
      done("tool_calls"),
    ],
  },
  {
    name: "boolean_and_number_edges",
    note: "strict typing: yes stays text, FALSE is false, huge integers and nan stay text, -0 is 0",
    tools: [edgeTool],
    raw: `Go.\n</think>\n\n${block(
      invoke("edge_values", [
        ["yes", "yes"],
        ["shout", "FALSE"],
        ["big", "12345678901234567890"],
        ["padded", " 5 "],
        ["float_int", "3.0"],
        ["sci", "1e3"],
        ["neg_zero", "-0"],
        ["nan", "nan"],
        ["bad_array", "[1, 2,"],
        ["bad_object", "{"],
        ["scalar_object", "3"],
      ]),
    )}`,
    expected: [
      reasoning("Go."),
      ...call(0, "edge_values", [
        ["yes", "yes", "yes"],
        ["shout", "FALSE", false],
        ["big", "12345678901234567890", "12345678901234567890"],
        ["padded", " 5 ", 5],
        ["float_int", "3.0", "3.0"],
        ["sci", "1e3", 1000],
        ["neg_zero", "-0", 0],
        ["nan", "nan", "nan"],
        ["bad_array", "[1, 2,", "[1, 2,"],
        ["bad_object", "{", "{"],
        ["scalar_object", "3", 3],
      ]),
      done("tool_calls"),
    ],
  },
  {
    name: "union_types",
    note: "type arrays, anyOf and oneOf: specific types first, text last",
    tools: [unionTool],
    raw: `Go.\n</think>\n\n${block(
      invoke("unions", [
        ["maybe_null", "null"],
        ["maybe_text", "x"],
        ["any_of", "2.5"],
        ["str_or_bool", "true"],
        ["obj_or_str", "[1]"],
        ["arr_or_str", "[1]"],
      ]),
    )}`,
    expected: [
      reasoning("Go."),
      ...call(0, "unions", [
        ["maybe_null", "null", null],
        ["maybe_text", "x", "x"],
        ["any_of", "2.5", 2.5],
        ["str_or_bool", "true", true],
        ["obj_or_str", "[1]", "[1]"],
        ["arr_or_str", "[1]", [1]],
      ]),
      done("tool_calls"),
    ],
  },
];
