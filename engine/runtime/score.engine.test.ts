import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, GenerationRequestSchema, type GenerationEvent, type GenerationRequest } from "../../app/contract";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// The score op (the attempts' execution-free verifier) on the real engine process: it shares the one sequence with
// generations, so it must reuse and leave a KV cache that the next generation still answers correctly from.

let harness: ReturnType<typeof startEngineHarness>;

beforeAll(async () => {
  harness = startEngineHarness();
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const messages: GenerationRequest["messages"] = [
  { role: "system", content: "You judge patches." },
  { role: "user", content: "Does this patch correctly solve the task? Answer YES or NO." },
];
const stats = (events: readonly GenerationEvent[]) => events.find((e): e is Extract<GenerationEvent, { type: "stats" }> => e.type === "stats")?.stats;
const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => AppError.from(error));

describe("the score op on the real engine", { timeout: 120_000 }, () => {
  it("is refused with model_not_loaded before a model is loaded", async () => {
    const error = await failure(harness.generations.score({ messages }));
    expect(error?.code).toBe("model_not_loaded");
  });

  it("scores after the answer primer, reuses the cache, and the next generation still replays its script", async () => {
    await harness.models.load(await ensureTestModel("chat"), { gpu: "cpu", contextSize: 2048 });
    const first = await harness.generate("score-gen-1", { messages });
    expect(joinText(first, "reasoning_delta") + "\n</think>\n\n" + joinText(first, "content_delta")).toBe(expectedOutput("chat", "turn1"));

    const rendered = await harness.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse({ messages }) }, { timeoutMs: 10_000 });
    const scored = await harness.generations.score({ messages });
    // The generation prompt ends in `<think>\n`; the primer `</think>\n\n` is three more tokens (special, two bytes).
    expect(scored.promptTokens).toBe(rendered.tokens + 3);
    // Everything up to the generation prompt was in the cache from the generation before.
    expect(scored.reusedTokens).toBe(rendered.tokens);
    // The chat model puts its whole mass on its script's first token: neither answer, so no preference.
    expect(scored.pYes).toBeLessThan(1e-6);
    expect(scored.pNo).toBeLessThan(1e-6);
    expect(scored.score).toBe(0.5);

    const again = await harness.generate("score-gen-2", { messages });
    expect(joinText(again, "content_delta")).toBe(joinText(first, "content_delta"));
    // The score left the conversation's prefix in the cache: only the generation prompt's tail is fed again.
    expect(stats(again)?.reusedTokens).toBe(rendered.tokens - 1);
  });

  it("refuses a prompt the context cannot hold with a typed overflow and a reload offer, and keeps working", async () => {
    const huge: GenerationRequest["messages"] = [{ role: "user", content: "x ".repeat(3000) }];
    const error = await failure(harness.generations.score({ messages: huge }));
    expect(error?.code).toBe("context_overflow");
    expect(error?.details).toMatchObject({ contextSize: 2048, replyTokens: 1 });
    expect((error?.details as { promptTokens: number }).promptTokens).toBeGreaterThan(2048);
    expect((await harness.generations.score({ messages })).promptTokens).toBeGreaterThan(0);
  });

  it("stops with aborted when its signal fires, before or while it runs", async () => {
    const before = new AbortController();
    before.abort();
    expect((await failure(harness.generations.score({ messages }, before.signal)))?.code).toBe("aborted");
    const during = new AbortController();
    const long: GenerationRequest["messages"] = [{ role: "user", content: "y ".repeat(900) }];
    const running = failure(harness.generations.score({ messages: long }, during.signal));
    during.abort();
    const outcome = await running;
    expect(outcome === null || outcome.code === "aborted").toBe(true);
    // The engine is free again afterwards.
    const next = await harness.generate("score-gen-3", { messages });
    expect(next.at(-1)).toMatchObject({ type: "done", finish_reason: "stop" });
  });
});
