import { describe, expect, it } from "vitest";
import { summarizeM2Events } from "../m2/parser-output";
import type { ToolDefinition } from "../m2/types";
import { createM3StreamParser, parseM3Output } from "./parser";

/*
 * llama.cpp's own MiniMax-M3 parser tests (tests/test-chat.cpp, "MiniMax-M3 tests", in the
 * llama.cpp that node-llama-cpp 3.21.1 bundles), ported: the same model outputs and tool
 * schemas must give the same reasoning, content and tool calls.
 */

const NS = "]<]minimax[>[";
const fn = (name: string, parameters: Record<string, unknown>): ToolDefinition => ({ type: "function", function: { name, parameters } });
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: "object", properties, required });

const getTime = fn("get_time", obj({ city: { type: "string", description: "City name" } }, ["city"]));
const getWeather = fn("get_weather", obj({ city: { type: "string", description: "City name" } }, ["city"]));
const special = fn("special_function", obj({ arg1: { type: "integer", description: "The arg." } }, ["arg1"]));
const emptyArgs = fn("empty_args", { type: "object", properties: {} });
const magicInt = fn("magic_int", obj({ ref: { type: "integer" }, name: { type: "string" } }, ["ref"]));
const amount = fn("amount", obj({ orig: { type: "number" } }, ["orig"]));
const toggle = fn("toggle", obj({ enabled: { type: "boolean" } }, ["enabled"]));
const imaginary = fn("imaginary_number", obj({ number: obj({ real: { type: "number" }, imaginary: { type: "number" } }, ["real", "imaginary"]) }, ["number"]));
const nestedArgs = fn(
  "nested_args",
  obj({ tags: { type: "array", items: { type: "string" } }, entries: { type: "array", items: obj({ id: { type: "integer" }, label: { type: "string" } }, ["id", "label"]) } }, ["tags", "entries"]),
);
const unionArgs = fn(
  "union_args",
  obj({
    filter: { anyOf: [{ type: "array", items: { type: "string" } }, obj({ field: { type: "string" }, op: { type: "string" } }, ["field", "op"])] },
    label: { oneOf: [{ type: "string" }, obj({ text: { type: "string" } })] },
    limit: { oneOf: [{ type: "integer" }, obj({ max: { type: "integer" } }, ["max"])] },
  }),
);

const block = (...invokes: string[]): string => `${NS}<tool_call>\n${invokes.join("")}${NS}</tool_call>`;
const invoke = (name: string, body = ""): string => `${NS}<invoke name="${name}">${body}${NS}</invoke>\n`;
const el = (tag: string, body: string): string => `${NS}<${tag}>${body}${NS}</${tag}>`;

interface Case {
  name: string;
  raw: string;
  tools: ToolDefinition[];
  reasoning: string;
  content: string;
  calls: [string, Record<string, unknown>][];
}

const CASES: Case[] = [
  { name: "content only (bare </mm:think> prefix)", raw: "</mm:think>Hello, world!\nWhat's up?", tools: [], reasoning: "", content: "Hello, world!\nWhat's up?", calls: [] },
  { name: "thinking + content", raw: "<mm:think>I'm\nthinking</mm:think>Hello, world!\nWhat's up?", tools: [], reasoning: "I'm\nthinking", content: "Hello, world!\nWhat's up?", calls: [] },
  {
    name: "thinking + tool call (string param)",
    raw: `<mm:think>Let me check the time</mm:think>${block(invoke("get_time", el("city", "Tokyo")))}`,
    tools: [getTime],
    reasoning: "Let me check the time",
    content: "",
    calls: [["get_time", { city: "Tokyo" }]],
  },
  { name: "tool call without reasoning, integer param", raw: `</mm:think>${block(invoke("special_function", el("arg1", "1")))}`, tools: [special], reasoning: "", content: "", calls: [["special_function", { arg1: 1 }]] },
  { name: "tool call with no parameters", raw: `<mm:think>Let's call a tool:</mm:think>${block(invoke("empty_args"))}`, tools: [emptyArgs], reasoning: "Let's call a tool:", content: "", calls: [["empty_args", {}]] },
  {
    name: "parallel tool calls in one block",
    raw: `<mm:think>Calling both</mm:think>${block(invoke("get_time", el("city", "Paris")), invoke("get_weather", el("city", "Paris")))}`,
    tools: [getTime, getWeather],
    reasoning: "Calling both",
    content: "",
    calls: [["get_time", { city: "Paris" }], ["get_weather", { city: "Paris" }]],
  },
  {
    name: "content before the tool call block",
    raw: `<mm:think>Thinking about it</mm:think>Let me call the function.${block(invoke("special_function", el("arg1", "1")))}`,
    tools: [special],
    reasoning: "Thinking about it",
    content: "Let me call the function.",
    calls: [["special_function", { arg1: 1 }]],
  },
  { name: "negative number", raw: `<mm:think>Test negative</mm:think>${block(invoke("magic_int", el("ref", "-14")))}`, tools: [magicInt], reasoning: "Test negative", content: "", calls: [["magic_int", { ref: -14 }]] },
  { name: "decimal number", raw: `<mm:think>Test decimal</mm:think>${block(invoke("amount", el("orig", "3.14")))}`, tools: [amount], reasoning: "Test decimal", content: "", calls: [["amount", { orig: 3.14 }]] },
  { name: "boolean", raw: `<mm:think>Test boolean</mm:think>${block(invoke("toggle", el("enabled", "true")))}`, tools: [toggle], reasoning: "Test boolean", content: "", calls: [["toggle", { enabled: true }]] },
  {
    name: "mixed types",
    raw: `<mm:think>Multi-arg call</mm:think>${block(invoke("magic_int", el("ref", "42") + el("name", "foo bar")))}`,
    tools: [magicInt],
    reasoning: "Multi-arg call",
    content: "",
    calls: [["magic_int", { ref: 42, name: "foo bar" }]],
  },
  {
    name: "nested object param",
    raw: `<mm:think>Nested object</mm:think>${block(invoke("imaginary_number", el("number", el("real", "1.5") + el("imaginary", "-2.5"))))}`,
    tools: [imaginary],
    reasoning: "Nested object",
    content: "",
    calls: [["imaginary_number", { number: { real: 1.5, imaginary: -2.5 } }]],
  },
  {
    name: "array params of scalars and of objects",
    raw: `<mm:think>Nested arrays</mm:think>${block(invoke("nested_args", el("tags", el("item", "alpha") + el("item", "beta")) + el("entries", el("item", el("id", "1") + el("label", "one")))))}`,
    tools: [nestedArgs],
    reasoning: "Nested arrays",
    content: "",
    calls: [["nested_args", { tags: ["alpha", "beta"], entries: [{ id: 1, label: "one" }] }]],
  },
  {
    name: "union array",
    raw: `<mm:think>Union array</mm:think>${block(invoke("union_args", el("filter", el("item", "alpha") + el("item", "beta"))))}`,
    tools: [unionArgs],
    reasoning: "Union array",
    content: "",
    calls: [["union_args", { filter: ["alpha", "beta"] }]],
  },
  { name: "union scalar", raw: `<mm:think>Union scalar</mm:think>${block(invoke("union_args", el("limit", "5")))}`, tools: [unionArgs], reasoning: "Union scalar", content: "", calls: [["union_args", { limit: 5 }]] },
  {
    name: "union nested",
    raw: `<mm:think>Union nested</mm:think>${block(invoke("union_args", el("limit", el("max", "10"))))}`,
    tools: [unionArgs],
    reasoning: "Union nested",
    content: "",
    calls: [["union_args", { limit: { max: 10 } }]],
  },
  { name: "a union with a string alternative is a string", raw: `<mm:think>Union string</mm:think>${block(invoke("union_args", el("label", "hi")))}`, tools: [unionArgs], reasoning: "Union string", content: "", calls: [["union_args", { label: "hi" }]] },
  {
    name: "... even when the value looks structured",
    raw: `<mm:think>Union string</mm:think>${block(invoke("union_args", el("label", el("text", "hi"))))}`,
    tools: [unionArgs],
    reasoning: "Union string",
    content: "",
    calls: [["union_args", { label: el("text", "hi") }]],
  },
  { name: "empty reasoning followed by a tool call", raw: `<mm:think></mm:think>${block(invoke("get_time", el("city", "XYZCITY")))}`, tools: [getTime], reasoning: "", content: "", calls: [["get_time", { city: "XYZCITY" }]] },
];

describe("parity with llama.cpp's MiniMax-M3 parser tests", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, { raw, tools, reasoning, content, calls }) => {
    const parsed = parseM3Output(raw, { tools });
    expect(parsed).toEqual({
      reasoning,
      content,
      tool_calls: calls.map(([name, args]) => ({ name, arguments: args })),
      errors: [],
      finish_reason: calls.length > 0 ? "tool_calls" : "stop",
    });
    // And the same message whatever the chunking.
    for (let at = 0; at <= raw.length; at++) {
      const parser = createM3StreamParser({ tools });
      const split = summarizeM2Events([...parser.push(raw.slice(0, at)), ...parser.push(raw.slice(at)), ...parser.end("stop")]);
      if (JSON.stringify(split) !== JSON.stringify(parsed)) expect({ at, split }).toEqual({ at, split: parsed });
    }
  });
});
