import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { renderWithJinja2 as renderTemplate, type Jinja2Result } from "../../testing/jinja2";
import { AppError } from "../contract/errors";
import { renderM3Prompt } from "./prompt";
import { m3PromptCorpus } from "./prompt-corpus";
import { M3PromptRequestSchema, type M3ChatMessage, type M3PromptRequest } from "./types";

/** The official template, as the engine ships it (a copy of llama.cpp's MiniMax-M3.jinja). */
const official = readFileSync(new URL("../../resources/minimax-m3.jinja", import.meta.url), "utf8");

/** Python Jinja2 as transformers sets it up: the reference, not our code. One process per call. */
const renderWithJinja2 = (contexts: readonly Record<string, unknown>[]): Jinja2Result[] => renderTemplate(official, contexts);

/** What a server hands the template, written independently of prompt.ts: string arguments parsed. */
function templateContext(request: M3PromptRequest): Record<string, unknown> {
  const messages = request.messages.map((message: M3ChatMessage) => {
    if (message.role !== "assistant" || !message.tool_calls) return message;
    const tool_calls = message.tool_calls.map((tc) => {
      const raw = tc.function.arguments;
      const args: unknown = typeof raw !== "string" ? raw : raw.trim() === "" ? {} : JSON.parse(raw);
      return { ...tc, function: { ...tc.function, arguments: args } };
    });
    return { ...message, tool_calls };
  });
  const context: Record<string, unknown> = { messages, add_generation_prompt: request.add_generation_prompt ?? true };
  if (request.tools !== undefined) context.tools = request.tools;
  if (request.thinking_mode !== undefined) context.thinking_mode = request.thinking_mode;
  if (request.model_identity !== undefined) context.model_identity = request.model_identity;
  return context;
}

describe("renderM3Prompt parity with MiniMax-M3.jinja under Python Jinja2 (transformers' settings)", () => {
  let reference: Jinja2Result[] = [];
  beforeAll(() => {
    reference = renderWithJinja2(m3PromptCorpus.map((c) => templateContext(c.request)));
  });

  it("has a corpus of at least 50 uniquely named cases", () => {
    expect(m3PromptCorpus.length).toBeGreaterThanOrEqual(50);
    expect(new Set(m3PromptCorpus.map((c) => c.name)).size).toBe(m3PromptCorpus.length);
  });

  it.each(m3PromptCorpus.map((c, i) => [c.name, c, i] as const))("%s", (_name, { request }, i) => {
    // Corpus entries must be valid wire data, and parsing must not change the prompt.
    const parsed = M3PromptRequestSchema.safeParse(request);
    expect(parsed.error).toBeUndefined();
    const expected = reference[i];
    expect(expected?.ok, expected?.ok === false ? expected.error : "").toBe(true);
    const prompt = renderM3Prompt(request);
    if (expected?.ok) expect(prompt).toBe(expected.text);
    if (parsed.success) expect(renderM3Prompt(parsed.data)).toBe(prompt);
  });
});

describe("renderM3Prompt", () => {
  it("renders an agent turn exactly: namespace token on every tag, <item> arrays, reasoning on every turn", () => {
    const prompt = renderM3Prompt({
      messages: [
        { role: "user", content: "Go" },
        {
          role: "assistant",
          content: "Ok.",
          reasoning_content: "Plan.",
          tool_calls: [{ function: { name: "f", arguments: '{"a": [1, {"b": true}], "c": null}' } }],
        },
        { role: "tool", content: "r" },
      ],
      thinking_mode: "enabled",
    });
    const ns = "]<]minimax[>[";
    expect(prompt.endsWith(
      "]~b]user\nGo[e~[\n]~b]ai\n<mm:think>Plan.</mm:think>Ok." +
        `${ns}<tool_call>\n${ns}<invoke name="f">${ns}<a>${ns}<item>1${ns}</item>${ns}<item>${ns}<b>true${ns}</b>${ns}</item>${ns}</a>${ns}</invoke>\n${ns}</tool_call>[e~[\n` +
        "]~b]tool\n<response>r</response>[e~[\n]~b]ai\n<mm:think>",
    )).toBe(true);
  });

  it.each([
    [undefined, ""],
    ["adaptive", ""],
    ["enabled", "<mm:think>"],
    ["disabled", "</mm:think>"],
  ] as const)("ends the generation prompt for thinking %s with %j", (mode, prefill) => {
    const request: M3PromptRequest = { messages: [{ role: "user", content: "x" }] };
    if (mode !== undefined) request.thinking_mode = mode;
    expect(renderM3Prompt(request).endsWith(`[e~[\n]~b]ai\n${prefill}`)).toBe(true);
    expect(renderM3Prompt({ ...request, add_generation_prompt: false }).endsWith("]~b]user\nx[e~[\n")).toBe(true);
  });
});

describe("renderM3Prompt errors", () => {
  const badRequest = (request: M3PromptRequest): AppError => {
    try {
      renderM3Prompt(request);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    }
    throw new Error("renderM3Prompt accepted the request");
  };

  it.each<[string, M3ChatMessage[], number]>([
    ["a tool message first", [{ role: "tool", content: "r" }], 0],
    [
      "a tool message after an assistant turn without calls",
      [
        { role: "developer", content: "d" },
        { role: "assistant", content: "a", tool_calls: [{ function: { name: "f", arguments: {} } }] },
        { role: "tool", content: "r" },
        { role: "assistant", content: "no calls" },
        { role: "tool", content: "orphan" },
      ],
      4,
    ],
    ["a tool message after an empty tool_calls list", [{ role: "assistant", content: "", tool_calls: [] }, { role: "tool", content: "r" }], 1],
  ])("rejects %s, as the template's raise_exception does", (_name, messages, messageIndex) => {
    const error = badRequest({ messages });
    expect(error.code).toBe("bad_request");
    expect(error.details).toMatchObject({ messageIndex, role: "tool" });
    const [reference] = renderWithJinja2([{ messages, add_generation_prompt: true }]);
    expect(reference?.ok).toBe(false);
  });

  it("rejects arguments that are not a JSON object, and ones nested past 128 levels", () => {
    const withArgs = (args: string): M3PromptRequest => ({
      messages: [{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: args } }] }],
    });
    expect(badRequest(withArgs("{not json")).details).toMatchObject({ messageIndex: 0, callIndex: 0, name: "f" });
    expect(badRequest(withArgs("[1]")).code).toBe("bad_request");
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(badRequest(withArgs(`{"v": ${deep}}`)).details).toMatchObject({ reason: "too_deep" });
  });
});
