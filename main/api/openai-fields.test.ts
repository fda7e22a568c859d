import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { HARNESS_API_KEY, HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// Chat completions fields the SDKs and agents send, through the real server and engine (the api model).

const REASONING_1 = expectedOutput("api", "turn1").split("\n</think>\n\n")[0]!;

let api: ApiHarness;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("api"));
  client = new OpenAI({ baseURL: api.server.baseUrl, apiKey: HARNESS_API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

async function streamedChunks(body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${api.server.baseUrl}/chat/completions`, { method: "POST", headers: HARNESS_HEADERS, body: JSON.stringify({ model: "m2", stream: true, ...body }) });
  expect(response.status).toBe(200);
  const text = await response.text();
  const data = text.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice("data: ".length));
  expect(data.at(-1)).toBe("[DONE]");
  return data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>);
}

describe("chat completions fields", () => {
  it("stream_options.include_usage adds one last chunk with no choices and the usage (cached_tokens too); without it no chunk carries usage", async () => {
    const messages = [{ role: "user", content: "Weather in Paris?" }];
    const plain = await streamedChunks({ messages, max_tokens: 4 });
    expect(plain.some((c) => "usage" in c)).toBe(false);
    const withUsage = await streamedChunks({ messages, max_tokens: 4, stream_options: { include_usage: true } });
    const last = withUsage.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 4, prompt_tokens: expect.any(Number), total_tokens: expect.any(Number), prompt_tokens_details: { cached_tokens: expect.any(Number) } });
    // The same prompt again: the engine reused it (all but the last token, which it evaluates to sample from).
    const usage = last.usage as { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    expect(usage.prompt_tokens_details.cached_tokens).toBe(usage.prompt_tokens - 1);
    expect(withUsage.slice(0, -1).every((c) => !("usage" in c))).toBe(true);
  });

  it("max_completion_tokens caps the answer (and wins over the older max_tokens): finish_reason length", async () => {
    const before = api.started.length;
    const completion = await client.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Weather?" }], max_completion_tokens: 3, max_tokens: 50 });
    expect(api.started[before]!.sampling?.maxTokens).toBe(3);
    expect(completion.usage?.completion_tokens).toBe(3);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    const reasoning = (completion.choices[0]!.message as { reasoning_content?: string }).reasoning_content ?? "";
    // Cut off in its reasoning: a start of it, well short of the whole.
    expect(REASONING_1.startsWith(reasoning) && reasoning.length > 0 && reasoning.length < REASONING_1.length / 2).toBe(true);
  });

  it("tools: null, a developer message and content as text-part arrays reach the template as transformers would hand them over", async () => {
    const before = api.started.length;
    const completion = await client.chat.completions.create({
      model: "m2",
      messages: [
        { role: "developer", content: [{ type: "text", text: "Be " }, { type: "text", text: "brief." }] },
        { role: "user", content: [{ type: "text", text: "Weather " }, { type: "text", text: "in Paris?" }] },
      ],
      tools: null,
      max_tokens: 2,
    } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    const request = api.started[before]!;
    expect(request.tools).toBeUndefined();
    const prompt = await api.renderedPrompt(request);
    expect(prompt).toBe("]~!b[]~b]system\nBe brief.[e~[\n]~b]user\nWeather in Paris?[e~[\n]~b]ai\n<think>\n");
  });

  it("n other than 1 is a 400 naming n in OpenAI's shape; n: 1 answers", async () => {
    const error = await client.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Hi" }], n: 2, max_tokens: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: "invalid_request_error", code: "bad_request", message: expect.stringContaining("n is 2") });
    const one = await client.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Hi" }], n: 1, max_tokens: 2 });
    expect(one.choices).toHaveLength(1);
  });
});
