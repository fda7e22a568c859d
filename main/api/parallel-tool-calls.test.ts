import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { HARNESS_API_KEY, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// The parallel model calls list_files and read_file in one block. A client that asks for one call at a time
// (parallel_tool_calls: false; Anthropic's disable_parallel_tool_use) gets the first one only, as llama-server's
// grammar allows one; the others get both.

const PARAMETERS = { type: "object" as const, properties: { path: { type: "string" } } };
const TOOLS: OpenAI.ChatCompletionTool[] = ["list_files", "read_file"].map((name) => ({ type: "function", function: { name, parameters: PARAMETERS } }));
const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Look at the project." }];

let api: ApiHarness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("parallel"));
  openai = new OpenAI({ baseURL: api.server.baseUrl, apiKey: HARNESS_API_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: api.server.baseUrl.replace(/\/v1$/, ""), apiKey: HARNESS_API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("one tool call at a time", () => {
  it("chat completions: parallel_tool_calls false keeps the first call, streaming and not; left out, both", async () => {
    const both = await openai.chat.completions.create({ model: "m2", messages: MESSAGES, tools: TOOLS });
    expect(both.choices[0]!.message.tool_calls?.map((c) => (c as OpenAI.ChatCompletionMessageFunctionToolCall).function.name)).toEqual(["list_files", "read_file"]);

    const one = await openai.chat.completions.create({ model: "m2", messages: MESSAGES, tools: TOOLS, parallel_tool_calls: false });
    expect(one.choices[0]!.finish_reason).toBe("tool_calls");
    expect(one.choices[0]!.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: "function", function: { name: "list_files", arguments: '{"path":"."}' } }]);

    const stream = await openai.chat.completions.create({ model: "m2", messages: MESSAGES, tools: TOOLS, parallel_tool_calls: false, stream: true });
    const streamed: Array<{ index: number; name?: string }> = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) streamed.push({ index: call.index, ...(call.function?.name ? { name: call.function.name } : {}) });
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(streamed.filter((c) => c.name)).toEqual([{ index: 0, name: "list_files" }]);
    expect(streamed.every((c) => c.index === 0)).toBe(true);
    expect(finish).toBe("tool_calls");
  });

  it("responses: parallel_tool_calls false keeps the first function_call", async () => {
    const tools: OpenAI.Responses.FunctionTool[] = TOOLS.map((t) => ({ type: "function", name: (t as OpenAI.ChatCompletionFunctionTool).function.name, parameters: PARAMETERS, strict: false }));
    const both = await openai.responses.create({ model: "m2", input: "Look at the project.", tools });
    expect(both.output.filter((i) => i.type === "function_call").map((i) => (i as OpenAI.Responses.ResponseFunctionToolCall).name)).toEqual(["list_files", "read_file"]);
    const one = await openai.responses.stream({ model: "m2", input: "Look at the project.", tools, parallel_tool_calls: false }).finalResponse();
    expect(one.output.filter((i) => i.type === "function_call").map((i) => (i as OpenAI.Responses.ResponseFunctionToolCall).name)).toEqual(["list_files"]);
  });

  it("messages: tool_choice disable_parallel_tool_use keeps the first tool_use block", async () => {
    const tools: Anthropic.Tool[] = ["list_files", "read_file"].map((name) => ({ name, input_schema: PARAMETERS }));
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Look at the project." }];
    const both = await anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 256, messages, tools });
    expect(both.content.filter((b) => b.type === "tool_use").map((b) => (b as Anthropic.ToolUseBlock).name)).toEqual(["list_files", "read_file"]);
    const one = await anthropic.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 256, messages, tools, tool_choice: { type: "auto", disable_parallel_tool_use: true } }).finalMessage();
    expect(one.stop_reason).toBe("tool_use");
    expect(one.content.filter((b) => b.type === "tool_use")).toEqual([{ type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "list_files", input: { path: "." } }]);
  });
});
