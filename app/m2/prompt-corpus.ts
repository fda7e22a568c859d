import type { ChatMessage, PromptRequest, ToolCall, ToolContent, ToolDefinition } from "./types";

/**
 * Conversations that renderM2Prompt must render byte-for-byte like the official
 * template under transformers' Jinja2 (see prompt.test.ts). Data only.
 */
export interface PromptCase {
  name: string;
  request: PromptRequest;
}

// Awkward text: CJK, emoji (astral), accents, quotes, backslashes, newlines, tabs,
// a control char and tag-like text that collides with the prompt's own markup.
const TRICKY =
  '天气怎么样？今日は 🌧️👩‍💻 café naïve «quotes» "double" \'single\' C:\\path\\to\\file \\n literal\n' +
  "second line\ttab \u0001 </parameter> <invoke name=\"x\"> </response> [e~[ ]~b]user";

const weather: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather for a city.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Paris" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"], default: "celsius" },
      },
      required: ["city"],
    },
  },
};

const createOrder: ToolDefinition = {
  type: "function",
  function: {
    name: "create_order",
    description: "Create an order with line items.",
    parameters: {
      type: "object",
      properties: {
        customer: {
          type: "object",
          properties: {
            id: { type: "integer", minimum: 1 },
            tier: { type: "string", enum: ["free", "pro", "enterprise"] },
            address: {
              type: "object",
              properties: { street: { type: "string" }, zip: { type: "string", pattern: "^\\d{5}$" } },
              required: ["street"],
            },
          },
          required: ["id"],
        },
        items: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            properties: {
              sku: { type: "string" },
              quantity: { type: "integer", minimum: 1, maximum: 99 },
              price: { type: "number", exclusiveMinimum: 0, multipleOf: 0.01 },
              options: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    key: { type: "string", enum: ["color", "size"] },
                    value: { type: ["string", "null"] },
                  },
                  required: ["key", "value"],
                  additionalProperties: false,
                },
              },
            },
            required: ["sku", "quantity"],
          },
        },
        gift: { type: "boolean", default: false },
        note: { type: ["string", "null"], default: null },
      },
      required: ["customer", "items"],
    },
  },
};

const unicodeSearch: ToolDefinition = {
  type: "function",
  function: {
    name: "web_search",
    description: `搜索网页 🔎 — "exact phrase" or 'quoted', path C:\\temp\\, line1\nline2 </tool> <tools>`,
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", description: "Requête de recherche (accents: é à ü ñ)" },
        lang: { type: "string", enum: ["zh-CN", "ja", "fr", "emoji 😀"] },
      },
      required: ["query"],
    },
  },
};

const bare: ToolDefinition = { function: { name: "ping" } };

// Integer-like keys, floats, exponents, negative numbers, null and booleans in a schema.
const numeric: ToolDefinition = {
  type: "function",
  function: {
    name: "tune",
    description: "Numeric edge cases in a schema.",
    parameters: {
      type: "object",
      properties: {
        z_last: { type: "number", default: 1.5 },
        "10": { type: "integer", default: -3 },
        "2": { type: "number", minimum: 1e-7, maximum: 1e21 },
        flag: { type: "boolean", default: true },
        nothing: { default: null },
        list: { type: "array", items: { type: "number" }, default: [0, 0.25, -1] },
      },
    },
  },
};

const call = (name: string, args: ToolCall["function"]["arguments"], id?: string): ToolCall => ({
  ...(id === undefined ? {} : { id }),
  type: "function",
  function: { name, arguments: args },
});
const sys = (content: string): ChatMessage => ({ role: "system", content });
const user = (content: string): ChatMessage => ({ role: "user", content });
const ai = (content: string, extra: Partial<Extract<ChatMessage, { role: "assistant" }>> = {}): ChatMessage => ({
  role: "assistant",
  content,
  ...extra,
});
const tool = (content: ToolContent, tool_call_id?: string): ChatMessage => ({
  role: "tool",
  content,
  ...(tool_call_id === undefined ? {} : { tool_call_id }),
});

const richArgs = {
  count: 3,
  ratio: 0.75,
  negative: -42,
  big: 12345678901,
  tiny: 1e-7,
  enabled: true,
  disabled: false,
  missing: null,
  tags: ["a", "b", 3, null, true],
  nested: { level1: { level2: { value: "deep", list: [{ x: 1 }, { y: [2, 3] }] } }, empty: {} },
  emptyList: [],
  text: "plain string stays raw",
};

export const promptCorpus: PromptCase[] = [
  // ---- system message ------------------------------------------------------
  { name: "user only, no system message", request: { messages: [user("Hello")] } },
  { name: "system + user", request: { messages: [sys("You are terse."), user("Hi")] } },
  {
    name: "system content as list of text parts and strings",
    request: {
      messages: [
        { role: "system", content: [{ type: "text", text: "Part one. " }, "bare string. ", { type: "text", text: "Part three." }] },
        user("Go"),
      ],
    },
  },
  { name: "system with empty content falls back to identity", request: { messages: [sys(""), user("Hi")] } },
  { name: "system with empty list content falls back to identity", request: { messages: [{ role: "system", content: [] }, user("Hi")] } },
  {
    name: "system with null content and its own date",
    request: { messages: [{ role: "system", content: null, current_date: "2025-11-02" }, user("What day is it?")] },
  },
  {
    name: "system with date and location fields",
    request: {
      messages: [
        { role: "system", content: "Be helpful.", current_date: "2025-11-02", current_location: "Zürich, Schweiz 🇨🇭" },
        user("Weather?"),
      ],
    },
  },
  {
    name: "system with empty date string (falsy, not printed)",
    request: { messages: [{ role: "system", content: "Hi.", current_date: "", current_location: "Lyon" }, user("x")] },
  },
  {
    name: "request-level date and location applied to system message",
    request: { messages: [sys("Be brief."), user("Hi")], current_date: "2025-01-31", current_location: "東京" },
  },
  {
    name: "request-level date overrides the system message's own",
    request: {
      messages: [{ role: "system", content: "S", current_date: "1999-12-31", current_location: "Old" }, user("Hi")],
      current_date: "2025-06-01",
    },
  },
  {
    name: "request-level date without system message synthesizes one",
    request: { messages: [user("Hello")], current_date: "2025-03-14" },
  },
  {
    name: "request-level location only without system message",
    request: { messages: [user("Hello")], current_location: "São Paulo" },
  },
  { name: "custom model_identity without system message", request: { messages: [user("Who are you?")], model_identity: "You are M2, made by MiniMax." } },
  {
    name: "model_identity is ignored when system has content",
    request: { messages: [sys("System wins."), user("Who are you?")], model_identity: "Unused identity" },
  },
  { name: "empty conversation", request: { messages: [] } },
  { name: "system message only, no generation prompt", request: { messages: [sys("Only system")], add_generation_prompt: false } },
  {
    name: "second system message mid-conversation is dropped",
    request: { messages: [sys("First"), user("a"), sys("Second system is ignored"), ai("b"), user("c")] },
  },

  // ---- tools ---------------------------------------------------------------
  { name: "one simple tool", request: { messages: [user("Weather in Paris?")], tools: [weather] } },
  { name: "nested schema tool", request: { messages: [sys("Shop bot"), user("Order 2 shirts")], tools: [createOrder] } },
  { name: "non-ASCII tool description", request: { messages: [user("搜索一下")], tools: [unicodeSearch] } },
  { name: "empty tools list renders no tools section", request: { messages: [user("Hi")], tools: [] } },
  {
    name: "several tools incl. bare and numeric schema",
    request: { messages: [sys("Agent"), user("Do it")], tools: [weather, bare, numeric, createOrder, unicodeSearch] },
  },
  {
    name: "tools with date on system",
    request: { messages: [sys("Agent"), user("Plan")], tools: [weather], current_date: "2025-11-02", current_location: "Paris" },
  },

  // ---- tool calls ------------------------------------------------------------
  {
    name: "single call with object arguments, string result, final answer",
    request: {
      tools: [weather],
      messages: [
        user("Weather in Paris?"),
        ai("", { reasoning_content: "Need the weather tool.", tool_calls: [call("get_weather", { city: "Paris", unit: "celsius" }, "c1")] }),
        tool('{"temp": 18, "sky": "cloudy"}', "c1"),
        ai("It's 18°C and cloudy in Paris.", { reasoning_content: "Summarize." }),
      ],
    },
  },
  {
    name: "call with JSON string arguments",
    request: {
      tools: [weather],
      messages: [
        user("Weather in Oslo?"),
        ai("Checking.", { tool_calls: [call("get_weather", '{"city": "Oslo", "unit": "fahrenheit"}')] }),
        tool("-3F"),
      ],
    },
  },
  {
    name: "object arguments with numbers, booleans, null, arrays, nested objects",
    request: {
      tools: [numeric],
      messages: [user("tune it"), ai("", { tool_calls: [call("tune", richArgs)] }), tool("ok")],
    },
  },
  {
    name: "same rich arguments as a JSON string",
    request: {
      tools: [numeric],
      messages: [user("tune it"), ai("", { tool_calls: [call("tune", JSON.stringify(richArgs))] }), tool("ok")],
    },
  },
  {
    name: "JSON string arguments with floats, exponents and integer-like keys",
    request: {
      messages: [
        user("x"),
        ai("", { tool_calls: [call("tune", '{"b": 1.0, "2": 2.50, "1": -0.5, "e": 1E+3, "small": 1e-9, "a": [1.0, 2]}')] }),
        tool("done"),
      ],
    },
  },
  {
    name: "empty-string and empty-object arguments",
    request: {
      tools: [bare],
      messages: [user("ping twice"), ai("", { tool_calls: [call("ping", ""), call("ping", {}), call("ping", "{}")] }), tool("pong"), tool("pong"), tool("pong")],
    },
  },
  {
    name: "non-ASCII and markup-like argument values",
    request: {
      tools: [unicodeSearch],
      messages: [
        user(TRICKY),
        ai("", {
          tool_calls: [
            call("web_search", { query: TRICKY, lang: "zh-CN", meta: { note: TRICKY, emoji: ["🎉", "👍🏽"] } }),
            call("web_search", JSON.stringify({ query: "naïve café", "clé spéciale \"q\"": "valeur" })),
          ],
        }),
        tool(TRICKY),
        tool([{ type: "text", text: TRICKY }]),
      ],
    },
  },
  {
    name: "multiple calls in one turn, results merged under one tool header",
    request: {
      tools: [weather],
      messages: [
        sys("Weather bot"),
        user("Compare Paris, Tokyo and Lima"),
        ai("I'll check all three.", {
          reasoning_content: "Three parallel calls.",
          tool_calls: [
            call("get_weather", { city: "Paris" }, "a"),
            call("get_weather", { city: "Tokyo", unit: "celsius" }, "b"),
            call("get_weather", '{"city":"Lima"}', "c"),
          ],
        }),
        tool("Paris: 12C", "a"),
        tool("Tokyo: 20C", "b"),
        tool("Lima: 25C", "c"),
        ai("Lima is warmest."),
      ],
    },
  },
  {
    name: "multi-step tool loop with reasoning on every step",
    request: {
      tools: [weather, unicodeSearch],
      messages: [
        sys("Research agent"),
        user("Find the capital of Peru, then its weather."),
        ai("", { reasoning_content: "First search.", tool_calls: [call("web_search", { query: "capital of Peru" })] }),
        tool("Lima"),
        ai("", { reasoning_content: "Now weather for Lima.", tool_calls: [call("get_weather", { city: "Lima" })] }),
        tool("25C sunny"),
        ai("Lima, 25°C and sunny.", { reasoning_content: "Done." }),
      ],
    },
  },
  {
    name: "multi-turn tool loops: reasoning dropped before the last user turn",
    request: {
      tools: [weather],
      current_date: "2025-11-02",
      messages: [
        sys("Agent"),
        user("Weather in Rome?"),
        ai("", { reasoning_content: "old reasoning 1", tool_calls: [call("get_weather", { city: "Rome" })] }),
        tool("20C"),
        ai("20°C.", { reasoning_content: "old reasoning 2" }),
        user("And Milan? Then Turin."),
        ai("", { reasoning_content: "new reasoning 1", tool_calls: [call("get_weather", { city: "Milan" })] }),
        tool("18C"),
        ai("<think>new reasoning 2 via tags</think>Checking Turin.", { tool_calls: [call("get_weather", '{"city": "Turin"}')] }),
        tool("17C"),
      ],
    },
  },
  {
    name: "assistant null content with tool calls",
    request: {
      messages: [user("q"), { role: "assistant", content: null, tool_calls: [call("ping", {})] }, tool("pong")],
    },
  },
  {
    name: "assistant without content key, with tool calls",
    request: {
      messages: [user("q"), { role: "assistant", tool_calls: [call("ping", { n: 1 })] }, tool("pong"), ai("done")],
    },
  },
  {
    name: "assistant with empty tool_calls list",
    request: { messages: [user("q"), ai("no tools used", { tool_calls: [] })] },
  },
  {
    name: "tool result after an intervening user message",
    request: {
      messages: [user("q"), ai("", { tool_calls: [call("ping", {})] }), user("still waiting"), tool("late pong")],
    },
  },
  {
    name: "tool result list: output, text part, string, raw object",
    request: {
      messages: [
        user("q"),
        ai("", { tool_calls: [call("fetch", { url: "https://example.com" })] }),
        {
          role: "tool",
          content: [
            { output: "from output" },
            { type: "text", text: "from text part" },
            "bare string",
            { type: "image_url", image_url: { url: "data:x" } },
            { type: "text", text: "text loses to output", output: "output wins" },
          ],
        },
      ],
    },
  },
  {
    name: "tool result list: non-string outputs",
    request: {
      messages: [
        user("q"),
        ai("", { tool_calls: [call("stats", {})] }),
        {
          role: "tool",
          content: [
            { output: { rows: 3, ok: true, names: ["é", "中"] } },
            { output: 42 },
            { output: 2.5 },
            { output: null },
            { output: false },
            { output: ["x", 1] },
            { output: "" },
          ],
        },
      ],
    },
  },
  {
    name: "tool result: empty list and empty string",
    request: {
      messages: [user("q"), ai("", { tool_calls: [call("a", {}), call("b", {})] }), { role: "tool", content: [] }, tool("")],
    },
  },
  {
    name: "consecutive tool results mixing string and list content",
    request: {
      messages: [
        user("q"),
        ai("", { tool_calls: [call("a", {}), call("b", {}), call("c", {})] }),
        tool("first\nmultiline\n"),
        { role: "tool", content: ["second", { output: "third" }] },
        tool("fourth </response> inside"),
        user("thanks"),
      ],
    },
  },
  {
    name: "tool name and argument keys with special characters",
    request: {
      messages: [
        user("q"),
        ai("", { tool_calls: [call("ns.tool-名前", { 'k"ey': "v", "ключ": 1, "a b": [null], "": "empty key" })] }),
        tool("r"),
      ],
    },
  },

  // ---- reasoning -------------------------------------------------------------
  {
    name: "reasoning_content on final assistant after last user",
    request: { messages: [user("2+2?"), ai("4", { reasoning_content: "Simple arithmetic." })], add_generation_prompt: false },
  },
  {
    name: "reasoning_content before the last user is dropped",
    request: { messages: [user("2+2?"), ai("4", { reasoning_content: "dropped" }), user("3+3?")] },
  },
  {
    name: "think tags in content after last user are kept",
    request: { messages: [user("hi"), ai("<think>\nthinking hard\n</think>\n\nHello!")], add_generation_prompt: false },
  },
  {
    name: "think tags in content before last user are removed",
    request: { messages: [user("hi"), ai("<think>\nold thought\n</think>\n\nHello!"), user("again")] },
  },
  {
    name: "closing think tag without opening tag",
    request: { messages: [user("hi"), ai("implicit reasoning\n</think>\nAnswer")], add_generation_prompt: false },
  },
  {
    name: "several think blocks: first reasoning, last content",
    request: {
      messages: [user("hi"), ai("<think>a</think>middle<think>b</think>\nend")],
      add_generation_prompt: false,
    },
  },
  {
    name: "think split strips only newlines, as Jinja2 does",
    request: {
      messages: [user("hi"), ai("<think> \t lead and trail\u00a0 \n</think>\n\n   indented answer  \t")],
      add_generation_prompt: false,
    },
  },
  {
    name: "empty think block",
    request: { messages: [user("hi"), ai("<think>\n\n</think>\n\nJust the answer.")] },
  },
  {
    name: "empty reasoning_content prevents splitting content",
    request: { messages: [user("hi"), ai("<think>kept verbatim</think>answer", { reasoning_content: "" })], add_generation_prompt: false },
  },
  {
    name: "reasoning_content wins over think tags in content",
    request: {
      messages: [user("hi"), ai("<think>tagged</think>answer", { reasoning_content: "field reasoning" })],
      add_generation_prompt: false,
    },
  },
  {
    name: "null reasoning_content falls back to think tags",
    request: { messages: [user("hi"), ai("<think>from tags</think>answer", { reasoning_content: null })], add_generation_prompt: false },
  },
  {
    name: "think tags inside list content",
    request: {
      messages: [user("hi"), { role: "assistant", content: [{ type: "text", text: "<think>part " }, "reasoning</think>", { type: "text", text: "\nvisible" }] }],
    },
  },
  {
    name: "conversation without user message keeps all reasoning",
    request: {
      messages: [sys("Narrator"), ai("Once", { reasoning_content: "r1" }), ai("<think>r2</think>upon", {}), ai("a time", { reasoning_content: "r3" })],
      add_generation_prompt: false,
    },
  },
  {
    name: "assistant only reasoning, empty content",
    request: { messages: [user("hi"), ai("", { reasoning_content: "only thinking" })], add_generation_prompt: false },
  },
  {
    name: "non-ASCII reasoning and content",
    request: { messages: [user(TRICKY), ai(`<think>${TRICKY}</think>${TRICKY}`)], add_generation_prompt: false },
  },

  {
    name: "a client's tool JSON verbatim: its key order, strict and extra keys",
    request: {
      tools: [
        {
          type: "function",
          function: {
            description: "Described before its name.",
            strict: true,
            name: "lookup",
            parameters: { required: ["q"], type: "object", properties: { q: { type: "string" } }, additionalProperties: false },
            "x-vendor": { cache: null, tags: ["a", "b"] },
          },
        },
      ],
      messages: [user("find it")],
    },
  },

  // ---- content shapes ----------------------------------------------------------
  { name: "user null content", request: { messages: [user("a"), ai("b"), { role: "user", content: null }] } },
  {
    name: "user list content with text parts and strings",
    request: { messages: [{ role: "user", content: [{ type: "text", text: "Look: " }, "string part", { type: "text", text: " end" }] }] },
  },
  { name: "user empty list and empty string", request: { messages: [{ role: "user", content: [] }, ai("?"), user("")] } },
  { name: "assistant empty content", request: { messages: [user("say nothing"), ai("")] } },
  { name: "non-ASCII user text", request: { messages: [sys(TRICKY), user(TRICKY)] } },
  {
    name: "add_generation_prompt false after a user turn",
    request: { messages: [user("hello")], add_generation_prompt: false },
  },
  {
    name: "argument keys named like dict methods",
    request: {
      messages: [
        user("q"),
        ai("", { tool_calls: [call("list", { items: [1, { a: "b" }], keys: "k", get: null, values: { v: 1 } })] }),
        tool("r"),
      ],
    },
  },
  {
    name: "long agent session",
    request: {
      tools: [weather, createOrder, unicodeSearch, bare],
      current_date: "2025-11-02",
      current_location: "Berlin",
      messages: [
        sys("You are an ops agent.\nFollow policy."),
        user("Order 2 red shirts for customer 7"),
        ai("", {
          reasoning_content: "Create the order.",
          tool_calls: [
            call("create_order", {
              customer: { id: 7, tier: "pro", address: { street: "Hauptstraße 1", zip: "10115" } },
              items: [{ sku: "SHIRT-RED", quantity: 2, price: 19.99, options: [{ key: "color", value: "red" }, { key: "size", value: null }] }],
              gift: false,
            }),
          ],
        }),
        tool([{ output: { order_id: "A-1", total: 39.98 } }]),
        ai("Order A-1 placed, total €39.98.", { reasoning_content: "Report." }),
        user("Is it raining there? Also ping."),
        ai("Let me check.", { tool_calls: [call("get_weather", '{"city":"Berlin"}'), call("ping", "")] }),
        tool("rain"),
        tool("pong"),
        ai("<think>\nrain → umbrella\n</think>\n\nYes, it's raining; ping ok."),
        user("Thanks!"),
      ],
    },
  },
];
