import { get } from "node:http";
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../testing/api-harness";

// The official openai SDK against the local API server, on the real backend and engine with a scripted model.

const API_KEY = "test-key-123";
const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city.",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city"] },
    strict: false,
  },
};
const [REASONING_1] = expectedOutput("api", "turn1").split("\n</think>\n\n");
const [REASONING_2, ANSWER_2] = expectedOutput("api", "afterTool").split("\n</think>\n\n") as [string, string];

let api: ApiHarness;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("api"), { apiKey: API_KEY });
  client = new OpenAI({ baseURL: api.server.baseUrl, apiKey: API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("OpenAI chat completions through the local API server", () => {
  it("lists the loaded model", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([expect.stringMatching(/^m2-api-/)]);
    expect(await client.models.retrieve(models.data[0]!.id)).toMatchObject({ id: models.data[0]!.id, object: "model" });
    await expect(client.models.retrieve("gpt-4o")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("streams a tool loop: reasoning as reasoning_content, a tool call with an id, and step 2's prompt keeps step 1's reasoning", async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "What is the weather in Paris?" }];
    const step1 = await client.chat.completions.create({ model: "whatever-the-client-calls-it", messages, tools: [WEATHER_TOOL], stream: true, stream_options: { include_usage: true } });
    let reasoning = "";
    let content = "";
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    let finish: string | null = null;
    let model = "";
    for await (const chunk of step1) {
      model = chunk.model;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
      reasoning += delta.reasoning_content ?? "";
      content += delta.content ?? "";
      for (const call of delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { arguments: "" });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name = call.function.name;
        slot.arguments += call.function?.arguments ?? "";
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(model).toMatch(/^m2-api-/);
    expect(reasoning).toBe(REASONING_1);
    expect(content.trim()).toBe("");
    expect(finish).toBe("tool_calls");
    expect(calls).toEqual([{ id: expect.stringMatching(/^call_/), name: "get_weather", arguments: JSON.stringify({ city: "Paris", unit: "celsius" }) }]);

    messages.push(
      { role: "assistant", content: null, reasoning_content: reasoning, tool_calls: [{ id: calls[0]!.id!, type: "function", function: { name: "get_weather", arguments: calls[0]!.arguments } }] } as ChatCompletionMessageParam,
      { role: "tool", tool_call_id: calls[0]!.id!, content: "18°C and sunny" },
    );
    const before = api.started.length;
    const step2 = await client.chat.completions.create({ model: "x", messages, tools: [WEATHER_TOOL], stream: true, stream_options: { include_usage: true } });
    let answer = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of step2) {
      answer += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(answer).toBe(ANSWER_2);
    // Step 2 resent step 1: the engine reused its KV cache for it.
    expect(usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(usage!.prompt_tokens_details!.cached_tokens!).toBeLessThan(usage!.prompt_tokens);
    const prompt = await api.renderedPrompt(api.started[before]!);
    expect(prompt).toContain(`<think>\n${REASONING_1}\n</think>`);
    expect(prompt).toContain("<response>18°C and sunny</response>");
  });

  it("answers without streaming, with reasoning_content kept apart from content", async () => {
    const completion = await client.chat.completions.create({
      model: "m2",
      messages: [
        { role: "developer", content: [{ type: "text", text: "Be brief." }] },
        { role: "user", content: "What is the weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "18°C" },
      ],
      tools: [WEATHER_TOOL],
      max_completion_tokens: 200,
    });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBe(ANSWER_2);
    expect(message.reasoning_content).toBe(REASONING_2);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBeGreaterThan(5);
  });

  it("refuses an image part with a 400 naming it, in OpenAI's error shape", async () => {
    const error = await client.chat.completions
      .create({ model: "m2", messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("messages[0].content[1] is a image_url part");
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: "invalid_request_error", code: "bad_request" });
  });

  it("refuses a wrong key with 401 and an untrusted Host with 403", async () => {
    const wrong = new OpenAI({ baseURL: api.server.baseUrl, apiKey: "nope", maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    // fetch cannot set Host: a raw request, as a page on a rebound name would send it.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get({ host: "127.0.0.1", port: api.server.port, path: "/v1/models", headers: { Host: `evil.example:${api.server.port}`, Authorization: `Bearer ${API_KEY}` } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on("error", reject);
    });
    expect(status).toBe(403);
  });

  it("a prompt past the context answers 400 saying how many tokens and the limit", async () => {
    const error = await client.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "word ".repeat(6000) }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      code: "context_overflow",
      message: expect.stringMatching(/^The prompt is \d+ tokens; the context holds 4096/),
    });
  });

  it("passes stop, temperature, top_p, top_k and seed to the engine; a stop string ends the answer before it", async () => {
    const before = api.started.length;
    const completion = await client.chat.completions.create({
      model: "m2",
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
      tools: [WEATHER_TOOL],
      stop: "Paris",
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      top_k: 20,
      parallel_tool_calls: false,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0]!.message.content).toBe(ANSWER_2.slice(0, ANSWER_2.indexOf("Paris")));
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(api.started[before]!.sampling).toEqual({ temperature: 0.7, topP: 0.9, topK: 20, seed: 42, stop: ["Paris"] });
  });

  it("tool_choice none lists no tools; a named function lists only that one", async () => {
    const OTHER_TOOL = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } };
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "Hi" }];
    const before = api.started.length;
    await client.chat.completions.create({ model: "m2", messages, tools: [WEATHER_TOOL, OTHER_TOOL], tool_choice: "none", max_tokens: 4 });
    await client.chat.completions.create({ model: "m2", messages, tools: [WEATHER_TOOL, OTHER_TOOL], tool_choice: { type: "function", function: { name: "get_time" } }, max_tokens: 4 });
    expect(api.started[before]!.tools).toBeUndefined();
    expect(api.started[before + 1]!.tools?.map((t) => t.function.name)).toEqual(["get_time"]);
  });
});
