import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationRequestSchema, type GenerationEvent, type GenerationRequest } from "../../app/contract";
import { THINKING_MODES } from "../../app/family";
import { m3GenerationPrefill } from "../../app/m3";
import { ensureM3TestModel, m3ExpectedOutput } from "../../node/gguf/m3-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// The thinking-mode chat setting through the real engine process on the scripted minimax-m3 model:
// the request's mode reaches M3's prompt (its instructions and its prefill) and the parser.

let harness: ReturnType<typeof startEngineHarness>;

beforeAll(async () => {
  const model = await ensureM3TestModel("chat");
  harness = startEngineHarness();
  await harness.models.load(model, { gpu: "cpu", contextSize: 2048 });
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const request = (thinking?: (typeof THINKING_MODES)[number]): GenerationRequest => ({
  messages: [{ role: "user", content: "Show me a tiny example." }],
  ...(thinking ? { thinking } : {}),
});
const split = (events: readonly GenerationEvent[]) => ({ reasoning: joinText(events, "reasoning_delta"), content: joinText(events, "content_delta") });

describe("thinking modes on a minimax-m3 model", { timeout: 120_000 }, () => {
  it.each(THINKING_MODES)("%s: the prompt says the mode and ends with its prefill", async (mode) => {
    const { prompt } = await harness.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse(request(mode)) }, { timeoutMs: 10_000 });
    expect(prompt).toContain(`Current thinking mode: ${mode}.`);
    expect(prompt.endsWith(`]~b]ai\n${m3GenerationPrefill(mode)}`)).toBe(true);
  });

  it("no mode renders M3's default, adaptive", async () => {
    const rendered = async (r: GenerationRequest) =>
      (await harness.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse(r) }, { timeoutMs: 10_000 })).prompt;
    expect(await rendered(request())).toBe(await rendered(request("adaptive")));
  });

  it.each(THINKING_MODES)("%s: a chat gives the scripted reasoning and content split", async (mode) => {
    // The script opens its own <mm:think>: after the enabled prefill it is a repeat, after the disabled one it reopens reasoning.
    const m = /^<mm:think>([\s\S]*)<\/mm:think>([\s\S]*)$/.exec(m3ExpectedOutput("chat", "turn1"));
    const events = await harness.generate(`m3-thinking-${mode}`, request(mode));
    expect(events.at(-1)).toMatchObject({ type: "done", finish_reason: "stop" });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(split(events)).toEqual({ reasoning: m?.[1], content: m?.[2] });
    expect(harness.engine.getStatus().restarts).toBe(0);
  });
});
