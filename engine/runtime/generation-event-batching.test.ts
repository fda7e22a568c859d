import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// The real engine process behind the real supervisor: what the host sees of the engine's batched events.
let harness: ReturnType<typeof startEngineHarness>;

beforeAll(async () => {
  const model = await ensureTestModel("long");
  harness = startEngineHarness();
  await harness.models.load(model, { gpu: "cpu", contextSize: 4096 });
}, 120_000);

afterAll(() => harness.stop());

describe("generation events across the engine → host hop", () => {
  it("arrive merged (fewer text events than tokens) yet streamed in many deliveries, in order, joining to the model's text", async () => {
    const arrivals: Array<{ at: number; event: GenerationEvent }> = [];
    const events = await harness.generate("batched", { messages: [{ role: "user", content: "Write a lot." }], sampling: { maxTokens: 400 } }, (event) =>
      arrivals.push({ at: performance.now(), event }),
    );
    const stats = events.find((e) => e.type === "stats");
    if (stats?.type !== "stats") throw new Error("no stats event");
    expect(stats.stats.generatedTokens).toBe(400);

    const text = events.filter((e) => e.type === "reasoning_delta" || e.type === "content_delta");
    expect(text.length).toBeLessThan(stats.stats.generatedTokens);
    // Merged deltas keep the model's text exactly: the reasoning, then every line in order, none lost or doubled.
    expect(joinText(events, "reasoning_delta")).toContain("I will write many numbered lines.");
    const content = joinText(events, "content_delta");
    const lines = content.split("\n").length - 1;
    expect(lines).toBeGreaterThan(300);
    expect(content).toBe(Array.from({ length: lines }, (_, i) => `Line ${i + 1} of the long streaming answer.\n`).join(""));

    // Each reasoning delta, merged or not, carries the engine's token count so far: the live "Thought · N tokens"
    // counts tokens, not deliveries, and ends at (within the closing tag's tokens of) the stats' count.
    const counts = events.flatMap((e) => (e.type === "reasoning_delta" ? [e.tokens] : []));
    expect(counts.every((n) => n !== undefined)).toBe(true);
    expect(counts).toEqual([...counts].sort((a, b) => a! - b!));
    const reasoningTokens = stats.stats.reasoningTokens ?? 0;
    expect(counts.at(-1)).toBeLessThanOrEqual(reasoningTokens);
    expect(counts.at(-1)).toBeGreaterThanOrEqual(reasoningTokens - 3);
    expect(counts.length).toBeLessThan(reasoningTokens);

    // Still streaming: text arrives over many distinct moments and `done` comes last, once.
    const deliveries = new Set(arrivals.filter((a) => a.event.type.endsWith("_delta")).map((a) => Math.round(a.at)));
    expect(deliveries.size).toBeGreaterThan(5);
    expect(events.at(-1)?.type).toBe("done");
    expect(events.filter((e) => e.type === "done")).toHaveLength(1);
  });
});
