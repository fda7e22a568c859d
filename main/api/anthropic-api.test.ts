import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../testing/api-harness";

// The official @anthropic-ai/sdk against the local API server's /v1/messages, on the real backend and engine.

const API_KEY = "anthropic-test-key";
const WEATHER_TOOL: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city.",
  input_schema: { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } }, required: ["city"] },
};
const [REASONING_1] = expectedOutput("api", "turn1").split("\n</think>\n\n");
const [REASONING_2, ANSWER_2] = expectedOutput("api", "afterTool").split("\n</think>\n\n") as [string, string];

let api: ApiHarness;
let client: Anthropic;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("api"), { apiKey: API_KEY });
  // The SDK appends /v1 itself.
  client = new Anthropic({ baseURL: api.server.baseUrl.replace(/\/v1$/, ""), apiKey: API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("Anthropic messages through the local API server", () => {
  it("streams a tool loop: thinking, tool_use with input_json_delta, then the tool_result answered with step 1's thinking in the prompt", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "What is the weather in Paris?" }];
    const events: string[] = [];
    const stream = client.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 512, system: [{ type: "text", text: "You are terse." }], messages, tools: [WEATHER_TOOL] });
    stream.on("streamEvent", (event) => events.push(event.type === "content_block_start" ? `start:${event.content_block.type}` : event.type));
    const step1 = await stream.finalMessage();
    expect(step1.model).toMatch(/^m2-api-/);
    expect(step1.stop_reason).toBe("tool_use");
    expect(step1.content).toEqual([
      { type: "thinking", thinking: REASONING_1, signature: "" },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: { city: "Paris", unit: "celsius" } },
    ]);
    const uniq = events.filter((e, i) => e !== events[i - 1]);
    expect(uniq).toEqual([
      "message_start",
      "start:thinking", "content_block_delta", "content_block_stop",
      "start:tool_use", "content_block_delta", "content_block_stop",
      "message_delta", "message_stop",
    ]);

    // Claude Code sends back the thinking blocks it received, with the tool result.
    const toolUse = step1.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    messages.push({ role: "assistant", content: step1.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: [{ type: "text", text: "18°C and sunny" }] }] });
    const before = api.started.length;
    const step2 = await client.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 512, system: "You are terse.", messages, tools: [WEATHER_TOOL] }).finalMessage();
    expect(step2.stop_reason).toBe("end_turn");
    expect(step2.content).toEqual([{ type: "thinking", thinking: REASONING_2, signature: "" }, { type: "text", text: ANSWER_2 }]);
    expect(step2.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(step2.usage.input_tokens).toBeGreaterThan(0);
    const prompt = await api.renderedPrompt(api.started[before]!);
    expect(prompt).toContain(`<think>\n${REASONING_1}\n</think>`);
    // A list-valued result, as the template prints one: each item on its own line.
    expect(prompt).toContain("<response>18°C and sunny\n</response>");
  });

  it("answers without streaming; a tool_result marked is_error reaches the model as an error", async () => {
    const before = api.started.length;
    const message = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [
        { role: "user", content: "What is the weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "service down", is_error: true }] },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(message.type).toBe("message");
    expect(message.content.at(-1)).toEqual({ type: "text", text: ANSWER_2 });
    expect(message.usage.output_tokens).toBeGreaterThan(5);
    expect(await api.renderedPrompt(api.started[before]!)).toContain("<response>Error: service down</response>");
  });

  it("counts a request's tokens with the engine's tokenizer", async () => {
    const short = await client.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }] });
    const long = await client.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }], tools: [WEATHER_TOOL] });
    expect(short.input_tokens).toBeGreaterThan(5);
    // The byte-level test tokenizer: the tool's JSON adds at least its length in tokens, give or take merges.
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 100);
  });

  it("refuses to count a request with nothing to count with a 400, not a server failure", async () => {
    const error = await client.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: [] }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("refuses an image block with a 400 naming it, in Anthropic's error shape", async () => {
    const error = await client.messages
      .create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "messages[0].content[1] is a image block: the local model reads text only." },
    });
  });

  it("refuses a missing key in Anthropic's error shape", async () => {
    const anonymous = new Anthropic({ baseURL: api.server.baseUrl.replace(/\/v1$/, ""), apiKey: "wrong", maxRetries: 0 });
    await expect(anonymous.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("passes stop_sequences and sampling to the engine", async () => {
    const before = api.started.length;
    const message = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get_weather", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "sunny" }] },
      ],
      tools: [WEATHER_TOOL],
      stop_sequences: ["Paris"],
      // Sampling fields this SDK version no longer types, as older clients still send them.
      ...{ temperature: 0.5, top_k: 10 },
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content.at(-1)).toEqual({ type: "text", text: ANSWER_2.slice(0, ANSWER_2.indexOf("Paris")) });
    expect(api.started[before]!.sampling).toEqual({ maxTokens: 100, temperature: 0.5, topK: 10, stop: ["Paris"] });
  });
});
