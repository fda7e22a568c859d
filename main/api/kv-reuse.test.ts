import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// Agents resend the whole conversation each step. Step k+1 must reuse everything the engine held after step k
// (its prompt and its output) and evaluate only what the client added: the tool result and the next turn's header.
// The api-loop model answers in the shape the official template renders back, as a model trained on it does.

const STEPS = 4;
const LIST_FILES = { description: "List a folder.", parameters: { type: "object", properties: { path: { type: "string" } } } };

interface Usage { prompt: number; cached: number; output: number }

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("api-loop"), {}, { contextSize: 8192 });
}, 120_000);
afterAll(() => api?.close());

async function post(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${api.server.baseUrl}${path}`, { method: "POST", headers: HARNESS_HEADERS, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

/** Runs `STEPS` steps of a loop; `step` sends the conversation so far and appends the answer and a tool result. */
async function loop(step: (index: number) => Promise<Usage>): Promise<Usage[]> {
  const usages: Usage[] = [];
  for (let i = 1; i <= STEPS; i++) usages.push(await step(i));
  return usages;
}

function expectEachStepReusesThePrevious(usages: Usage[]): void {
  // A fresh conversation (the engine held another one before).
  expect(usages[0]!.cached).toBeLessThan(usages[0]!.prompt);
  for (let k = 1; k < usages.length; k++) {
    const before = usages[k - 1]!;
    const now = usages[k]!;
    expect(now.cached, `step ${k + 1} reuses step ${k}'s prompt and output`).toBe(before.prompt + before.output);
    // Only the tool result and the headers around it: the same few tokens each step, however long the conversation.
    expect(now.prompt - now.cached).toBe(usages[1]!.prompt - usages[1]!.cached);
    expect(now.prompt - now.cached).toBeLessThan(60);
  }
}

describe("KV reuse across the requests of an agent loop", () => {
  it("/v1/messages: thinking, text and tool_use blocks sent back reuse the whole previous step", async () => {
    const messages: unknown[] = [{ role: "user", content: "Look around the workspace." }];
    const tools = [{ name: "list_files", description: LIST_FILES.description, input_schema: LIST_FILES.parameters }];
    const usages = await loop(async (i) => {
      const message = (await post("/messages", { model: "claude-sonnet-4-5", max_tokens: 512, messages, tools })) as {
        content: Array<{ type: string; id?: string }>;
        usage: { input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
      };
      const call = message.content.find((b) => b.type === "tool_use")!;
      messages.push({ role: "assistant", content: message.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: `listing ${i}: a.txt` }] });
      const { input_tokens, cache_read_input_tokens, output_tokens } = message.usage;
      return { prompt: input_tokens + cache_read_input_tokens, cached: cache_read_input_tokens, output: output_tokens };
    });
    expectEachStepReusesThePrevious(usages);
  });

  it("/v1/chat/completions: the assistant message with reasoning_content and tool_calls reuses the whole previous step", async () => {
    const messages: unknown[] = [{ role: "user", content: "Look around the workspace." }];
    const tools = [{ type: "function", function: { name: "list_files", ...LIST_FILES } }];
    const usages = await loop(async (i) => {
      const completion = (await post("/chat/completions", { model: "m2", messages, tools })) as {
        choices: Array<{ message: { tool_calls: Array<{ id: string }> } }>;
        usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
      };
      const message = completion.choices[0]!.message;
      messages.push(message, { role: "tool", tool_call_id: message.tool_calls[0]!.id, content: `listing ${i}: a.txt` });
      return { prompt: completion.usage.prompt_tokens, cached: completion.usage.prompt_tokens_details.cached_tokens, output: completion.usage.completion_tokens };
    });
    expectEachStepReusesThePrevious(usages);
  });

  it("/v1/responses: reasoning, message and function_call items sent back reuse the whole previous step", async () => {
    const input: unknown[] = [{ role: "user", content: "Look around the workspace." }];
    const tools = [{ type: "function", name: "list_files", ...LIST_FILES }];
    const usages = await loop(async (i) => {
      const response = (await post("/responses", { model: "m2", input, tools, store: false })) as {
        output: Array<{ type: string; call_id?: string }>;
        usage: { input_tokens: number; output_tokens: number; input_tokens_details: { cached_tokens: number } };
      };
      const call = response.output.find((item) => item.type === "function_call")!;
      input.push(...response.output, { type: "function_call_output", call_id: call.call_id, output: `listing ${i}: a.txt` });
      return { prompt: response.usage.input_tokens, cached: response.usage.input_tokens_details.cached_tokens, output: response.usage.output_tokens };
    });
    expectEachStepReusesThePrevious(usages);
  });
  it("an app chat in between takes the engine's cache; the API's next step re-evaluates what it replaced and answers as before, and the chat got its own answer", async () => {
    const tools = [{ name: "list_files", description: LIST_FILES.description, input_schema: LIST_FILES.parameters }];
    const messages: unknown[] = [{ role: "user", content: "Look around the workspace." }];
    type Message = { content: Array<{ type: string; id?: string; thinking?: string; text?: string }>; usage: { input_tokens: number; cache_read_input_tokens: number; output_tokens: number } };
    const step1 = (await post("/messages", { model: "m2", max_tokens: 512, messages, tools })) as Message;
    const call = step1.content.find((b) => b.type === "tool_use")!;
    messages.push({ role: "assistant", content: step1.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "listing: a.txt" }] });

    const events: GenerationEvent[] = [];
    const conversation = api.backend.chat.create();
    const { generationId } = await api.backend.chat.send(conversation.id, "Hello from the app, with a question of its own.");
    const off = api.backend.events.subscribe((event) => {
      if (event.type === "generation.event" && event.generationId === generationId) events.push(event.event);
    });
    await expect.poll(() => events.at(-1)?.type, { timeout: 20_000 }).toBe("done");
    off();
    const chatReasoning = events.map((e) => (e.type === "reasoning_delta" ? e.text : "")).join("");
    expect(chatReasoning).toBe(expectedOutput("api-loop", "turn1").split("\n</think>")[0]);

    const before = api.started.length;
    const step2 = (await post("/messages", { model: "m2", max_tokens: 512, messages, tools })) as Message;
    const held = step1.usage.input_tokens + step1.usage.cache_read_input_tokens + step1.usage.output_tokens;
    // The chat's prompt shares only the start of the system turn with the API's conversation.
    expect(step2.usage.cache_read_input_tokens).toBeLessThan(held);
    expect(step2.content.filter((b) => b.type !== "tool_use")).toEqual([
      { type: "thinking", thinking: "There is more to check, so I will list it again.", signature: "" },
      { type: "text", text: "Listing it again." },
    ]);
    const prompt = await api.renderedPrompt(api.started[before]!);
    expect(prompt).not.toContain("Hello from the app");
  });
});
