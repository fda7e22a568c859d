import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { HARNESS_API_KEY, HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// A tool call the model cuts short: the parser flags it, and no API hands it to a client to run.

const LIST_FILES = { type: "function" as const, function: { name: "list_files", parameters: { type: "object", properties: { path: { type: "string" } } } } };

let api: ApiHarness;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("malformed"));
  client = new OpenAI({ baseURL: api.server.baseUrl, apiKey: HARNESS_API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("a malformed tool call through the API server", () => {
  it("streams no tool_calls delta and does not finish with tool_calls", async () => {
    const flagged: unknown[] = [];
    const off = api.backend.events.subscribe((event) => {
      if (event.type === "generation.event" && event.event.type === "tool_call_completed" && event.event.error) flagged.push(event.event);
    });
    const stream = await client.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "List the files." }], tools: [LIST_FILES], stream: true });
    let toolDeltas = 0;
    let reasoning = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      toolDeltas += choice?.delta.tool_calls?.length ?? 0;
      reasoning += (choice?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
      finish = choice?.finish_reason ?? finish;
    }
    expect(reasoning).toContain("cut short on purpose");
    expect(toolDeltas).toBe(0);
    expect(finish).toBe("stop");
    off();
    // The engine did report the call, flagged: the server is what kept it from the client.
    expect(flagged).toHaveLength(1);
  });

  it("answers without the call through /v1/messages", async () => {
    const response = await fetch(`${api.server.baseUrl}/messages`, {
      method: "POST",
      headers: HARNESS_HEADERS,
      body: JSON.stringify({ model: "claude-x", max_tokens: 200, messages: [{ role: "user", content: "List the files." }], tools: [{ name: "list_files", input_schema: LIST_FILES.function.parameters }] }),
    });
    const message = (await response.json()) as { content: Array<{ type: string }>; stop_reason: string };
    expect(message.content.map((b) => b.type)).not.toContain("tool_use");
    expect(message.stop_reason).toBe("end_turn");
  });
});
