import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderWithJinja2 } from "../../testing/jinja2";
import { AppError } from "../contract/errors";
import { M2_TEMPLATE, renderM2Prompt, type M2TemplateVariant } from "./prompt";
import { promptCorpus } from "./prompt-corpus";
import { recognizeM2Template } from "./template-detect";
import { PromptRequestSchema, type ChatMessage, type PromptRequest } from "./types";

const official = readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8");

/**
 * What a server hands the template for a request, written independently of prompt.ts:
 * string arguments parsed, request-level date/location put on a system message.
 */
function templateContext(request: PromptRequest): Record<string, unknown> {
  let messages: unknown[] = request.messages.map((message: ChatMessage) => {
    if (message.role !== "assistant" || !message.tool_calls) return message;
    const tool_calls = message.tool_calls.map((tc) => {
      const raw = tc.function.arguments;
      const args: unknown = typeof raw !== "string" ? raw : raw.trim() === "" ? {} : JSON.parse(raw);
      return { ...tc, function: { ...tc.function, arguments: args } };
    });
    return { ...message, tool_calls };
  });
  const extra: Record<string, string> = {};
  if (request.current_date !== undefined) extra.current_date = request.current_date;
  if (request.current_location !== undefined) extra.current_location = request.current_location;
  if (Object.keys(extra).length > 0) {
    messages =
      request.messages[0]?.role === "system"
        ? [{ ...(messages[0] as object), ...extra }, ...messages.slice(1)]
        : [{ role: "system", ...extra }, ...messages];
  }
  const context: Record<string, unknown> = {
    messages,
    tools: request.tools,
    add_generation_prompt: request.add_generation_prompt ?? true,
  };
  if (request.model_identity !== undefined) context.model_identity = request.model_identity;
  return context;
}

/** The M2 template renders a variant's default identity when handed it as `model_identity`. */
const withIdentity = (request: PromptRequest, variant: M2TemplateVariant): PromptRequest =>
  request.model_identity === undefined ? { ...request, model_identity: variant.defaultIdentity } : request;

const reference = renderWithJinja2(
  official,
  promptCorpus.map(({ request }) => templateContext(request)),
);

describe("renderM2Prompt parity with the official template (transformers' Jinja2)", () => {
  it("has a corpus of at least 50 uniquely named cases", () => {
    expect(promptCorpus.length).toBeGreaterThanOrEqual(50);
    expect(new Set(promptCorpus.map((c) => c.name)).size).toBe(promptCorpus.length);
  });

  it.each(promptCorpus.map((c, i) => [c.name, c, i] as const))("%s", (_name, { request }, i) => {
    // Corpus entries must be valid wire data, and parsing must not change the prompt.
    const parsed = PromptRequestSchema.safeParse(request);
    expect(parsed.error).toBeUndefined();
    if (parsed.success) expect(renderM2Prompt(parsed.data)).toBe(renderM2Prompt(request));
    expect(reference[i]).toEqual({ ok: true, text: renderM2Prompt(request) });
  });

  it("renders a later default identity exactly as the template does when given it", () => {
    const variant: M2TemplateVariant = { ...M2_TEMPLATE, defaultIdentity: "You are a helpful assistant. Your name is X." };
    const requests = promptCorpus.map(({ request }) => withIdentity(request, variant));
    const rendered = renderWithJinja2(official, requests.map(templateContext));
    requests.forEach((request, i) => expect(rendered[i]).toEqual({ ok: true, text: renderM2Prompt(request, variant) }));
  });
});

describe("renderM2Prompt", () => {
  it("renders a small conversation exactly", () => {
    const prompt = renderM2Prompt({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "Use the tool.",
          tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Paris","days":2}' } }],
        },
        { role: "tool", content: "18C" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
      current_date: "2025-11-02",
    });
    expect(prompt).toBe(
      "]~!b[]~b]system\nBe brief.\nCurrent date: 2025-11-02\n\n# Tools\n" +
        "You may call one or more tools to assist with the user query.\n" +
        "Here are the tools available in JSONSchema format:\n\n<tools>\n" +
        '<tool>{"name": "get_weather", "parameters": {"type": "object"}}</tool>\n</tools>\n\n' +
        "When making tool calls, use XML format to invoke tools and pass parameters:\n\n" +
        '<minimax:tool_call>\n<invoke name="tool-name-1">\n' +
        '<parameter name="param-key-1">param-value-1</parameter>\n' +
        '<parameter name="param-key-2">param-value-2</parameter>\n...\n</invoke>\n</minimax:tool_call>[e~[\n' +
        "]~b]user\nWeather?[e~[\n" +
        // Null content prints Python's None, as transformers renders M2's template.
        "]~b]ai\n<think>\nUse the tool.\n</think>\n\nNone\n<minimax:tool_call>\n" +
        '<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n' +
        '<parameter name="days">2</parameter>\n</invoke>\n</minimax:tool_call>[e~[\n' +
        "]~b]tool\n<response>18C</response>[e~[\n" +
        "]~b]ai\n<think>\n",
    );
  });

  it("defaults add_generation_prompt to true", () => {
    expect(renderM2Prompt({ messages: [{ role: "user", content: "x" }] })).toMatch(/\]~b\]ai\n<think>\n$/);
    expect(renderM2Prompt({ messages: [{ role: "user", content: "x" }], add_generation_prompt: false })).toMatch(
      /\[e~\[\n$/,
    );
  });

  it("splits <think> stripping only newlines, as Jinja2 does (@huggingface/jinja would trim all whitespace)", () => {
    const prompt = renderM2Prompt({
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: "<think>\n  why \n</think>\n\n  answer" },
      ],
      add_generation_prompt: false,
    });
    expect(prompt).toContain("]~b]ai\n<think>\n  why \n</think>\n\n  answer[e~[\n");
  });
});

describe("renderM2Prompt errors", () => {
  const expectBadRequest = (request: PromptRequest, details: Record<string, unknown>): AppError => {
    let caught: unknown;
    try {
      renderM2Prompt(request);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect(error.code).toBe("bad_request");
    expect(error.details).toMatchObject(details);
    return error;
  };

  it.each<[string, ChatMessage[], number]>([
    ["a tool message first", [{ role: "tool", content: "r" }], 0],
    [
      "a tool message after an assistant turn without calls",
      [
        { role: "system", content: "s" },
        { role: "user", content: "q" },
        { role: "assistant", content: "a", tool_calls: [{ function: { name: "f", arguments: {} } }] },
        { role: "tool", content: "r" },
        { role: "assistant", content: "no calls" },
        { role: "tool", content: "orphan" },
      ],
      5,
    ],
    [
      "a tool message after an empty tool_calls list",
      [{ role: "user", content: "q" }, { role: "assistant", content: "", tool_calls: [] }, { role: "tool", content: "r" }],
      2,
    ],
  ])("rejects %s, like the template's raise_exception", (_name, messages, messageIndex) => {
    const error = expectBadRequest({ messages }, { messageIndex, role: "tool" });
    expect(error.message).toBe("Message has tool role, but there was no previous assistant message with a tool call!");
    expect(renderWithJinja2(official, [{ messages, add_generation_prompt: true }])[0]?.ok).toBe(false);
  });

  it("rejects invalid or non-object JSON arguments", () => {
    const withArgs = (args: string): PromptRequest => ({
      messages: [{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: args } }] }],
    });
    expectBadRequest(withArgs("{not json"), { messageIndex: 0, callIndex: 0, name: "f" });
    expectBadRequest(withArgs("[1, 2]"), { messageIndex: 0, callIndex: 0, name: "f" });
    expectBadRequest(withArgs("null"), { messageIndex: 0, callIndex: 0, name: "f" });
  });

  it("rejects arguments nested past 128 levels, as a string or an object, instead of overflowing the stack", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const request = (args: string | Record<string, unknown>): PromptRequest => ({
      messages: [{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: args } }] }],
    });
    const where = { messageIndex: 0, callIndex: 0, name: "f", reason: "too_deep" };
    expectBadRequest(request(`{"v": ${deep}}`), where);
    expectBadRequest(request({ v: JSON.parse(deep) as unknown }), where);
    const limit = `${"[".repeat(128)}${"]".repeat(128)}`;
    expect(renderM2Prompt(request(`{"v": ${limit}}`))).toContain(`<parameter name="v">${limit.replaceAll("][", "], [")}</parameter>`);
  });

  it("validates a 10,000-deep tool result item without overflowing zod's recursive JSON schema", () => {
    const item = { a: JSON.parse(`${"[".repeat(10_000)}${"]".repeat(10_000)}`) as unknown };
    const parsed = PromptRequestSchema.safeParse({
      messages: [{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: {} } }] }, { role: "tool", content: [item] }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain("Nested deeper than 128 levels");
  });

  it("rejects null tool content, which the template cannot iterate", () => {
    const messages = [
      { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: {} } }] },
      { role: "tool", content: null },
    ] as unknown as ChatMessage[];
    expectBadRequest({ messages }, { messageIndex: 1 });
    expect(renderWithJinja2(official, [{ messages }])[0]?.ok).toBe(false);
  });
});

describe("renderM2Prompt variants (M2.1 and later)", () => {
  const variant: M2TemplateVariant = { defaultIdentity: "You are a helpful assistant. Your name is MiniMax-M2.1 and is built by MiniMax.", noneText: "" };

  /**
   * The revisions of M2's template GGUFs carry, built from M2's file by the edits their history shows
   * (resources/templates/PROVENANCE.md): each identity, MiniMax's null-content fix (MiniMax-M2 9354a5c,
   * in M2.1's file) and the tool-call name line. Not copies of the official files: the edits are what
   * recognizeM2Template reads, and Jinja2 on each must equal the TS renderer given what it read.
   */
  const identityLine = 'set model_identity = "You are a helpful assistant."';
  const withIdentityLine = (template: string, identity: string) => template.replace(identityLine, `set model_identity = "${identity}"`);
  const noneFix = (template: string) =>
    template.replace("    {%- else -%}\n        {{- content }}", "    {%- elif content is none -%}\n        {{- '' }}\n    {%- else -%}\n        {{- content }}");
  const nameLine = "            {%- set last_tool_call.name = message.tool_calls[-1].function.name -%}";
  const nameFix = (template: string) =>
    template.replace(
      nameLine,
      "            {%- if message.tool_calls[-1].function -%}\n                {%- set last_tool_call.name = message.tool_calls[-1].function.name -%}\n            {%- else -%}\n                {%- set last_tool_call.name = message.tool_calls[-1].name -%}\n            {%- endif -%}",
    );
  const plainName = (template: string) => template.replace(nameLine, "            {%- set last_tool_call.name = message.tool_calls[-1].name -%}");
  const identity = (version: string) => `You are a helpful assistant. Your name is MiniMax-M${version} and is built by MiniMax.`;
  const revisions: Array<[string, string, M2TemplateVariant]> = [
    ["M2 as first published", official, M2_TEMPLATE],
    [
      "M2 after MiniMax's fix and its later identity (f62f643)",
      nameFix(noneFix(withIdentityLine(official, "You are MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06."))),
      { defaultIdentity: "You are MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06.", noneText: "" },
    ],
    ["M2.1 (M2's fixed file, c6b717a's identity)", nameFix(noneFix(withIdentityLine(official, identity("2.1")))), variant],
    ["M2.5 (M2's first file, its identity, `.name`)", plainName(withIdentityLine(official, identity("2.5"))), { defaultIdentity: identity("2.5"), noneText: "None" }],
    ["M2.7 (as M2.5)", plainName(withIdentityLine(official, identity("2.7"))), { defaultIdentity: identity("2.7"), noneText: "None" }],
  ];

  it.each(revisions)("%s: recognised, and Jinja2 on the whole corpus equals the TS renderer given what was read", (_name, template, expected) => {
    expect(template.split("content is none")).toHaveLength(expected.noneText === "" ? 2 : 1);
    expect(template).toContain(expected.defaultIdentity);
    const revision = recognizeM2Template(template, official);
    expect(revision).toEqual(expected);
    if (!revision) return;
    const requests = promptCorpus.map(({ request }) => withIdentity(request, revision));
    const rendered = renderWithJinja2(template, requests.map(templateContext));
    requests.forEach((request, i) => expect(rendered[i]).toEqual({ ok: true, text: renderM2Prompt(request, revision) }));
  });

  it("M2.5 prints Python's None for null content, as its template does", () => {
    const successor: M2TemplateVariant = { defaultIdentity: identity("2.5"), noneText: "None" };
    expect(renderM2Prompt({ messages: [{ role: "user", content: null }] }, successor)).toBe(`]~!b[]~b]system\n${identity("2.5")}[e~[\n]~b]user\nNone[e~[\n]~b]ai\n<think>\n`);
  });

  it("uses the variant's default system prompt when there is no system content", () => {
    expect(renderM2Prompt({ messages: [{ role: "user", content: "hi" }] }, variant)).toBe(
      `]~!b[]~b]system\n${variant.defaultIdentity}[e~[\n]~b]user\nhi[e~[\n]~b]ai\n<think>\n`,
    );
    expect(renderM2Prompt({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] }, variant)).toContain(
      "system\nBe brief.[e~[",
    );
  });

  it("prints nothing for null content where M2's template prints None", () => {
    const request: PromptRequest = {
      messages: [{ role: "user", content: null }, { role: "assistant", content: null, tool_calls: [{ function: { name: "f", arguments: {} } }] }],
      add_generation_prompt: false,
    };
    expect(renderM2Prompt(request)).toContain("]~b]user\nNone[e~[\n]~b]ai\nNone\n<minimax:tool_call>");
    expect(renderM2Prompt(request, variant)).toContain("]~b]user\n[e~[\n]~b]ai\n\n<minimax:tool_call>");
  });
});
