import { describe, expect, it } from "vitest";
import { AnthropicMessagesRequestSchema } from "../../app/contract/anthropic-api";
import { ChatCompletionRequestSchema, ResponsesRequestSchema } from "../../app/contract/openai-api";
import { messagesToGeneration } from "./anthropic-request";
import { chatCompletionToGeneration } from "./openai-request";
import { responsesToGeneration } from "./responses-request";

// The APIs' reasoning controls as the engine's thinking mode (honoured by families that offer modes: M3, M3.1).

const chat = (extra: Record<string, unknown>) =>
  chatCompletionToGeneration(ChatCompletionRequestSchema.parse({ model: "m3", messages: [{ role: "user", content: "Hi" }], ...extra }));
const responses = (extra: Record<string, unknown>) => responsesToGeneration(ResponsesRequestSchema.parse({ model: "m3", input: "Hi", ...extra }));
const messages = (extra: Record<string, unknown>) =>
  messagesToGeneration(AnthropicMessagesRequestSchema.parse({ model: "m3", max_tokens: 100, messages: [{ role: "user", content: "Hi" }], ...extra }));

describe("API reasoning controls → thinking mode", () => {
  it.each([
    ["none", "disabled"],
    ["minimal", "disabled"],
    ["low", "adaptive"],
    ["medium", "adaptive"],
    ["high", "enabled"],
  ])("chat completions reasoning_effort %s and Responses reasoning.effort %s → %s", (effort, mode) => {
    expect(chat({ reasoning_effort: effort }).thinking).toBe(mode);
    expect(responses({ reasoning: { effort, summary: "auto" } }).thinking).toBe(mode);
  });

  it.each([
    [{ type: "enabled", budget_tokens: 2048 }, "enabled"],
    [{ type: "adaptive" }, "adaptive"],
    [{ type: "disabled" }, "disabled"],
  ])("Messages thinking %j → %s", (thinking, mode) => {
    expect(messages({ thinking }).thinking).toBe(mode);
  });

  it("no reasoning control leaves the family's default", () => {
    expect(chat({})).not.toHaveProperty("thinking");
    expect(chat({ reasoning_effort: null })).not.toHaveProperty("thinking");
    expect(responses({ reasoning: { summary: "auto" } })).not.toHaveProperty("thinking");
    expect(responses({ reasoning: null })).not.toHaveProperty("thinking");
    expect(messages({})).not.toHaveProperty("thinking");
  });

  it("an unknown value is a bad_request naming the field", () => {
    expect(() => chat({ reasoning_effort: "maximum" })).toThrow(expect.objectContaining({ code: "bad_request", details: { param: "reasoning_effort" } }));
    expect(() => responses({ reasoning: { effort: 3 } })).toThrow(expect.objectContaining({ code: "bad_request", details: { param: "reasoning.effort" } }));
    expect(() => messages({ thinking: { type: "turbo" } })).toThrow(expect.objectContaining({ code: "bad_request", details: { param: "thinking.type" } }));
    expect(() => messages({ thinking: "on" })).toThrow(expect.objectContaining({ code: "bad_request" }));
  });
});
