import OpenAI from "openai";
import type { ResponseInputItem } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { HARNESS_API_KEY, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// The openai SDK's Responses API (what Codex CLI speaks) against the local API server, on the real engine.

const WEATHER_TOOL = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city.",
  parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: false,
};
const [REASONING_1] = expectedOutput("api", "turn1").split("\n</think>\n\n");
const [REASONING_2, ANSWER_2] = expectedOutput("api", "afterTool").split("\n</think>\n\n") as [string, string];

let api: ApiHarness;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("api"));
  client = new OpenAI({ baseURL: api.server.baseUrl, apiKey: HARNESS_API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("OpenAI Responses through the local API server", () => {
  it("streams a tool loop: a reasoning item, a function_call; sent back with its output, step 2's prompt keeps step 1's reasoning", async () => {
    const input: ResponseInputItem[] = [
      { role: "developer", content: "Answer about the weather." },
      { role: "user", content: [{ type: "input_text", text: "What is the weather in Paris?" }] },
    ];
    const events: string[] = [];
    const stream = client.responses.stream({ model: "gpt-5-codex", instructions: "You are a coding agent.", input, tools: [WEATHER_TOOL], store: false });
    stream.on("event", (event) => events.push(event.type));
    const step1 = await stream.finalResponse();
    expect(events[0]).toBe("response.created");
    expect(events.at(-1)).toBe("response.completed");
    expect(events).toContain("response.function_call_arguments.delta");
    expect(step1.output.map((item) => item.type)).toEqual(["reasoning", "function_call"]);
    const [reasoning, call] = step1.output as [OpenAI.Responses.ResponseReasoningItem, OpenAI.Responses.ResponseFunctionToolCall];
    expect(reasoning.summary[0]?.text).toBe(REASONING_1);
    expect(call).toMatchObject({ name: "get_weather", call_id: expect.stringMatching(/^call_/) });
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris", unit: "celsius" });

    // Codex sends the whole conversation back with store: false: the reasoning item, the call and its output.
    input.push(reasoning as ResponseInputItem, call as ResponseInputItem, { type: "function_call_output", call_id: call.call_id, output: "18°C and sunny" });
    const before = api.started.length;
    const step2 = await client.responses.stream({ model: "gpt-5-codex", instructions: "You are a coding agent.", input, tools: [WEATHER_TOOL], store: false }).finalResponse();
    expect(step2.output_text).toBe(ANSWER_2);
    expect(step2.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    const request = api.started[before]!;
    // instructions and the developer item are one system prompt (the template renders only the first).
    expect(request.messages[0]).toEqual({ role: "system", content: "You are a coding agent.\n\nAnswer about the weather." });
    const prompt = await api.renderedPrompt(request);
    expect(prompt).toContain(`<think>\n${REASONING_1}\n</think>`);
    expect(prompt).toContain("<response>18°C and sunny</response>");
  });

  it("answers without streaming", async () => {
    const response = await client.responses.create({
      model: "m2",
      input: [
        { role: "user", content: "Weather?" },
        { type: "function_call", call_id: "call_9", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_9", output: "18°C" },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe(ANSWER_2);
    expect((response.output[0] as OpenAI.Responses.ResponseReasoningItem).summary[0]?.text).toBe(REASONING_2);
  });

  it("refuses previous_response_id: the server keeps no responses", async () => {
    await expect(client.responses.create({ model: "m2", input: "Hi", previous_response_id: "resp_1" })).rejects.toThrow(/previous_response_id is not supported/);
  });
});
