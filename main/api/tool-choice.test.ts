import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../testing/api-harness";

// tool_choice that demands a call, through the real engine on the scripted "chat" model, which on its own
// answers in text after its reasoning. Forced, its reasoning stays whole and a call opens right after it.
// (The scripted model cannot go on to write real arguments: after the opening it replays its script.)

const API_KEY = "tool-choice-test-key";
const [REASONING] = expectedOutput("chat", "turn1").split("\n</think>\n\n") as [string, string];
const WEATHER = { name: "get_weather", description: "The weather in a city.", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const CLOCK = { name: "get_time", description: "The time in a city.", parameters: { type: "object", properties: { city: { type: "string" } } } };

let api: ApiHarness;
let openai: OpenAI;
let anthropic: Anthropic;
let events: GenerationEvent[] = [];

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("chat"), { apiKey: API_KEY });
  api.backend.events.subscribe((event) => {
    if (event.type === "generation.event") events.push(event.event);
  });
  openai = new OpenAI({ baseURL: api.server.baseUrl, apiKey: API_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: api.server.baseUrl.replace(/\/v1$/, ""), apiKey: API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

const reasoning = (list: GenerationEvent[]) => list.map((e) => (e.type === "reasoning_delta" ? e.text : "")).join("");
// What the model wrote after its reasoning (the engine's prompt_progress comes before any of it).
const afterReasoning = (list: GenerationEvent[]) => list.find((e) => e.type !== "reasoning_delta" && e.type !== "prompt_progress");

describe("tool_choice that demands a call", () => {
  it("auto: the model answers in text after its reasoning (the control case)", async () => {
    events = [];
    await openai.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Weather?" }], tools: [{ type: "function", function: WEATHER }] });
    expect(reasoning(events)).toBe(REASONING);
    expect(afterReasoning(events)).toMatchObject({ type: "content_delta" });
    expect(events.some((e) => e.type === "tool_call_started")).toBe(false);
  });

  it("chat completions, a named function: the call to it opens right after the whole reasoning", async () => {
    events = [];
    const before = api.started.length;
    await openai.chat.completions.create({
      model: "m2",
      messages: [{ role: "user", content: "Weather?" }],
      tools: [{ type: "function", function: CLOCK }, { type: "function", function: WEATHER }],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(api.started[before]).toMatchObject({ toolChoice: { name: "get_weather" }, tools: [{ function: { name: "get_weather" } }] });
    expect(reasoning(events)).toBe(REASONING);
    expect(afterReasoning(events)).toEqual({ type: "tool_call_started", index: 0, name: "get_weather" });
  });

  it("messages {type: any} and chat completions required: the engine gets toolChoice required, and a tool block follows the whole reasoning", async () => {
    events = [];
    const before = api.started.length;
    await anthropic.messages.create({
      model: "claude-x",
      max_tokens: 512,
      messages: [{ role: "user", content: "Weather?" }],
      tools: [{ name: WEATHER.name, description: WEATHER.description, input_schema: { ...WEATHER.parameters, type: "object" as const } }],
      tool_choice: { type: "any" },
    });
    await openai.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Weather?" }], tools: [{ type: "function", function: WEATHER }], tool_choice: "required" });
    expect(api.started.slice(before).map((r) => r.toolChoice)).toEqual(["required", "required"]);
    expect(reasoning(events)).toBe(REASONING + REASONING);
    // Each answer is a tool block, never the text answer the model gives on its own.
    expect(events.filter((e) => e.type === "tool_call_started")).toHaveLength(2);
    expect(events.some((e) => e.type === "content_delta")).toBe(false);
  });

  it("no tools left to call (tool_choice required with tools: []): nothing is forced", async () => {
    const before = api.started.length;
    await openai.chat.completions.create({ model: "m2", messages: [{ role: "user", content: "Hi" }], tools: [], tool_choice: "required" });
    expect(api.started[before]!.toolChoice).toBeUndefined();
  });
});
