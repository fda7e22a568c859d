import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
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
});
