import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../testing/api-harness";

// Stop strings through the real engine: which one ended the answer, in each API's own terms.

const API_KEY = "stop-test-key";
const [REASONING, ANSWER] = expectedOutput("chat", "turn1").split("\n</think>\n\n") as [string, string];
const STOP = "TypeScript";
const BEFORE_STOP = ANSWER.slice(0, ANSWER.indexOf(STOP));

let api: ApiHarness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("chat"), { apiKey: API_KEY });
  anthropic = new Anthropic({ baseURL: api.server.baseUrl.replace(/\/v1$/, ""), apiKey: API_KEY, maxRetries: 0 });
  openai = new OpenAI({ baseURL: api.server.baseUrl, apiKey: API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("stop sequences", () => {
  it("messages: stop_reason is stop_sequence and stop_sequence names the one that matched, streaming and not", async () => {
    const params = { model: "claude-x", max_tokens: 512, stop_sequences: ["never appears", STOP], messages: [{ role: "user" as const, content: "Show me some formatting." }] };
    const message = await anthropic.messages.create(params);
    expect(message).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: STOP });
    expect(message.content).toEqual([{ type: "thinking", thinking: REASONING, signature: "" }, { type: "text", text: BEFORE_STOP }]);

    const streamed = await anthropic.messages.stream(params).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: STOP });
  });

  it("messages: an answer that ends on its own is end_turn with stop_sequence null", async () => {
    const message = await anthropic.messages.create({ model: "claude-x", max_tokens: 2048, stop_sequences: ["never appears"], messages: [{ role: "user", content: "Show me some formatting." }] });
    expect(message).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("chat completions: a stop string ends the choice with finish_reason stop, the string left out", async () => {
    const completion = await openai.chat.completions.create({ model: "m2", stop: [STOP], messages: [{ role: "user", content: "Show me some formatting." }] });
    expect(completion.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: BEFORE_STOP } });
  });
});
