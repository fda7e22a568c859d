import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadOffer, type GenerationRequest } from "../../app/contract";
import { ensureM3TestModel } from "../../node/gguf/m3-test-models";
import { startEngineHarness } from "../../testing/engine-harness";

// A prompt longer than the loaded context, through the real engine process on the scripted minimax-m3
// model loaded with 512 tokens: the typed error says both sizes and the planner's context to reload with;
// a reload with that context then runs the same request.

let harness: ReturnType<typeof startEngineHarness>;
let model: string;
let offered: number | undefined;

beforeAll(async () => {
  model = await ensureM3TestModel("chat");
  harness = startEngineHarness();
  await harness.models.load(model, { gpu: "cpu", contextSize: 512 });
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const long: GenerationRequest = {
  messages: [{ role: "user", content: `Summarise this: ${"the quick brown fox jumps over the lazy dog ".repeat(25)}` }],
  sampling: { maxTokens: 64 },
};

describe("a prompt that does not fit the context", { timeout: 180_000 }, () => {
  it("fails with context_overflow carrying the prompt's and context's sizes and a reload context from the planner", async () => {
    const events = await harness.generate("overflow-1", long);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", finish_reason: "error", error: { code: "context_overflow" } });
    const error = done?.type === "done" ? done.error : undefined;
    const offer = reloadOffer(error);
    expect(offer).not.toBeNull();
    expect(offer?.contextSize).toBe(512);
    expect(offer?.promptTokens).toBeGreaterThan(512);
    expect(offer?.replyTokens).toBe(64);
    // The smallest comfortable size holding prompt + reply: 4096 (the model was trained on 8192; it fits this box's RAM).
    expect(offer?.reloadContext).toBe(4096);
    offered = offer?.reloadContext;
    expect(error?.message).toMatch(/reload with 4,096 tokens of context/);
    expect(harness.engine.getStatus().restarts).toBe(0);
  });

  it("runs the same request after a reload with the offered context", async () => {
    expect(offered).toBe(4096);
    const loaded = await harness.models.load(model, { gpu: "cpu", contextSize: offered });
    expect(loaded.contextSize).toBe(4096);
    const events = await harness.generate("overflow-2", long);
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(events.some((e) => e.type === "stats")).toBe(true);
  });

  it("reports a long prompt's evaluation batch by batch, from the reused prefix to its end, before the first token", async () => {
    const other: GenerationRequest = { ...long, messages: [{ role: "user", content: `Count these: ${"one two three four five six seven ".repeat(30)}` }] };
    const events = await harness.generate("progress-1", other);
    const progress = events.flatMap((e) => (e.type === "prompt_progress" ? [e] : []));
    const stats = events.find((e) => e.type === "stats");
    const total = stats?.type === "stats" ? stats.stats.promptTokens : 0;
    expect(total).toBeGreaterThan(1024);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.total === total)).toBe(true);
    const evaluated = progress.map((p) => p.evaluated);
    expect(evaluated).toEqual([...evaluated].sort((a, b) => a - b));
    expect(evaluated[0]).toBe(stats?.type === "stats" ? stats.stats.reusedTokens : -1);
    expect(evaluated.at(-1)).toBeLessThan(total);
    // All progress comes before the answer's first text.
    const firstText = events.findIndex((e) => e.type === "reasoning_delta" || e.type === "content_delta");
    expect(events.findLastIndex((e) => e.type === "prompt_progress")).toBeLessThan(firstText);
  });

  it("stops during prompt processing: Stop at the first progress report ends the answer with abort, before any text", async () => {
    const other: GenerationRequest = { ...long, messages: [{ role: "user", content: `List these: ${"alpha beta gamma delta epsilon zeta ".repeat(40)}` }] };
    let stopped = false;
    const events = await harness.generate("progress-stop", other, (event) => {
      if (event.type === "prompt_progress" && !stopped) {
        stopped = true;
        void harness.generations.abort("progress-stop");
      }
    });
    expect(stopped).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "done", finish_reason: "abort" });
    expect(events.some((e) => e.type === "reasoning_delta" || e.type === "content_delta")).toBe(false);
    // The engine is free for the next request.
    const next = await harness.generate("after-stop", { messages: [{ role: "user", content: "Hi" }], sampling: { maxTokens: 8 } });
    expect(next.at(-1)).toMatchObject({ type: "done" });
    expect(next.at(-1)).not.toHaveProperty("error");
  });
});

