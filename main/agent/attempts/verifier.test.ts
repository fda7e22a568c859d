import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../../node/gguf/m2-test-models";
import { startEngineHarness } from "../../../testing/engine-harness";
import { scoreAttempt, VERIFIER_QUESTION, verifierMessages } from "./verifier";

const input = { task: "Make greet.txt say Hello, world.", diff: "--- a/greet.txt\n+++ b/greet.txt\n@@ -1 +1 @@\n-Hi\n+Hello, world\n", trajectory: "[call] write_file {}\n[result] ok" };

describe("the verifier prompt", () => {
  it("holds the task, trajectory and diff and ends with the YES/NO question", () => {
    const [system, user] = verifierMessages(input, 10_000);
    expect(system?.role).toBe("system");
    const text = String(user?.content);
    expect(text.endsWith(VERIFIER_QUESTION)).toBe(true);
    for (const part of [input.task, input.diff, input.trajectory]) expect(text).toContain(part);
  });

  it("bounds every part to the budget, keeping the trajectory's end and the diff's start", () => {
    const big = { task: "T".repeat(50_000), diff: `+first line\n${"D".repeat(100_000)}`, trajectory: `${"S".repeat(100_000)}[answer] last step` };
    const text = String(verifierMessages(big, 8_000)[1]?.content);
    expect(text.length).toBeLessThan(8_000 + 1_000);
    expect(text).toContain("+first line");
    expect(text).toContain("[answer] last step");
    expect(text.endsWith(VERIFIER_QUESTION)).toBe(true);
  });
});

let harness: ReturnType<typeof startEngineHarness>;

describe("scoreAttempt on the real engine", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    harness = startEngineHarness();
    await harness.models.load(await ensureTestModel("chat"), { gpu: "cpu", contextSize: 2048 });
  }, 120_000);
  afterAll(async () => harness.stop());

  it("fits a diff far larger than the context: the scripted vocabulary's one token per byte overflows the first guess, and the retry cuts to the engine's count", async () => {
    let calls = 0;
    const engine = {
      score: (request: Parameters<typeof harness.generations.score>[0], signal?: AbortSignal) => (calls++, harness.generations.score(request, signal)),
      contextSize: () => harness.models.current()?.contextSize ?? null,
    };
    const score = await scoreAttempt(engine, { ...input, diff: `+${"x".repeat(50_000)}\n` });
    expect(calls).toBe(2);
    expect(score.promptTokens).toBeLessThan(2048);
    expect(score.promptTokens).toBeGreaterThan(1000);
    expect(score.score).toBeGreaterThanOrEqual(0);
  });
});
