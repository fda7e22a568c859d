import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationRequestSchema, type GenerationEvent, type GenerationRequest, type PartialAnswer } from "../../app/contract";
import { ensureTestModel, expectedOutput, expectedTokens, readChatTemplate } from "../../node/gguf/m2-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";
import { renderWithJinja2 } from "../../testing/jinja2";

// Continuing a partial answer through the real engine process on the scripted M2 chat model: the prompt is the
// official template's rendering of the conversation with the partial turn, minus its closing (checked against
// Python's Jinja2), only the new tokens are evaluated, and the partial plus the continuation is the whole answer.

let harness: ReturnType<typeof startEngineHarness>;

beforeAll(async () => {
  const model = await ensureTestModel("chat");
  harness = startEngineHarness();
  await harness.models.load(model, { gpu: "cpu", contextSize: 2048 });
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const messages: GenerationRequest["messages"] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Show me a tiny example." },
];
const [reasoning, content] = expectedOutput("chat", "turn1").split("\n</think>\n\n") as [string, string];
const split = (events: readonly GenerationEvent[]) => ({ reasoning: joinText(events, "reasoning_delta"), content: joinText(events, "content_delta") });
const stats = (events: readonly GenerationEvent[]) => events.find((e): e is Extract<GenerationEvent, { type: "stats" }> => e.type === "stats")?.stats;
const renderPrompt = async (request: GenerationRequest) =>
  (await harness.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse(request) }, { timeoutMs: 10_000 })).prompt;
/** Tokens of the script up to the one that closes the reasoning. */
const reasoningTokens = expectedTokens("chat", "turn1").findIndex((t) => t.includes("</think>"));

describe("continuing a partial answer on the real engine", { timeout: 120_000 }, () => {
  it("renders the template's own text for the conversation with the partial turn, minus its closing", async () => {
    const template = await readChatTemplate();
    const open: PartialAnswer = { reasoning: "The user wants a quick", content: "", reasoningClosed: false };
    const closed: PartialAnswer = { reasoning, content: "Here is a short", reasoningClosed: true };
    const reference = renderWithJinja2(
      template,
      [open, closed].map((p) => ({
        messages: [...messages, { role: "assistant", reasoning_content: p.reasoning, content: p.content }],
        add_generation_prompt: false,
      })),
    );
    const [openText, closedText] = reference.map((r) => (r.ok ? r.text : `jinja2 failed: ${r.error}`));
    // Mid-thinking the block stays open; after it, only the end of message is left off.
    expect(openText?.endsWith("\n</think>\n\n[e~[\n")).toBe(true);
    expect(closedText?.endsWith("Here is a short[e~[\n")).toBe(true);
    expect(await renderPrompt({ messages, continuation: open })).toBe(openText?.slice(0, -"\n</think>\n\n[e~[\n".length));
    expect(await renderPrompt({ messages, continuation: closed })).toBe(closedText?.slice(0, -"[e~[\n".length));
    // The open turn's prompt extends the fresh answer's: the generation prompt plus the reasoning so far.
    expect(await renderPrompt({ messages, continuation: open })).toBe(`${await renderPrompt({ messages })}The user wants a quick`);
  });

  it("continues an answer cut mid-thinking into the same reasoning, evaluating only the new tokens", async () => {
    const first = await harness.generate("cont-think-1", { messages, sampling: { maxTokens: 5 } });
    expect(first.at(-1)).toMatchObject({ type: "done", finish_reason: "length" });
    const partial = split(first);
    expect(partial.content).toBe("");
    expect(reasoning.startsWith(partial.reasoning) && partial.reasoning.length > 0).toBe(true);

    const rest = await harness.generate("cont-think-2", { messages, continuation: { ...partial, reasoningClosed: false } });
    expect(rest.at(-1)).toMatchObject({ type: "done", finish_reason: "stop" });
    const more = split(rest);
    expect(partial.reasoning + more.reasoning).toBe(reasoning);
    expect(more.content).toBe(content);
    // The cache holds the prompt and the five tokens: at most the last one is evaluated again.
    const s = stats(rest);
    expect(s?.evaluatedTokens).toBeLessThanOrEqual(1);
    expect(s?.reusedTokens).toBe((s?.promptTokens ?? 0) - (s?.evaluatedTokens ?? 0));
    expect(s?.generatedTokens).toBe(expectedTokens("chat", "turn1").length - 5);
  });

  it("continues an answer cut in its content as content, the thinking left closed", async () => {
    const cut = reasoningTokens + 4;
    const first = await harness.generate("cont-answer-1", { messages, sampling: { maxTokens: cut } });
    const partial = split(first);
    expect(partial.reasoning).toBe(reasoning);
    expect(content.startsWith(partial.content) && partial.content.length > 0 && partial.content !== content).toBe(true);

    const rest = await harness.generate("cont-answer-2", { messages, continuation: { ...partial, reasoningClosed: true } });
    expect(rest.at(-1)).toMatchObject({ type: "done", finish_reason: "stop" });
    const more = split(rest);
    expect(more.reasoning).toBe("");
    expect(partial.content + more.content).toBe(content);
    const s = stats(rest);
    expect(s?.evaluatedTokens).toBeLessThanOrEqual(1);
    expect(s?.reasoningTokens).toBe(0);
  });
});
