import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent, GenerationRequest } from "../../app/contract";
import { ATTEMPTS_CONTENTS, ATTEMPTS_MARKER, ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// The scripted attempts model (issue 17 part 2) on the real engine: a tied branch that the seed picks, and a
// verifier answer read from token probabilities that the marker token turns from YES to NO.

let harness: ReturnType<typeof startEngineHarness>;

beforeAll(async () => {
  harness = startEngineHarness();
  await harness.models.load(await ensureTestModel("attempts"), { gpu: "cpu", contextSize: 8192 });
}, 120_000);

afterAll(async () => harness.stop());

const task: GenerationRequest["messages"] = [{ role: "user", content: "Make greet.txt greet the world." }];
const written = (events: readonly GenerationEvent[]) =>
  events.flatMap((e) => (e.type === "tool_call_completed" ? [String((e.arguments as { content?: unknown }).content)] : []));
const verifier = (diff: string): GenerationRequest["messages"] => [
  { role: "system", content: "You review patches." },
  { role: "user", content: `<patch>\n${diff}</patch>\nDoes this patch correctly solve the task? Answer YES or NO.` },
];

describe("the scripted attempts model", { timeout: 120_000 }, () => {
  it("takes a different branch per seed at temperature 1 (seeds 9, 10, 11: wrong, marked, correct)", async () => {
    const contents = [];
    for (const seed of [9, 10, 11]) contents.push(written(await harness.generate(`branch-${seed}`, { messages: task, sampling: { seed, temperature: 1 } })));
    const trim = (text: string) => text.replace(/\n$/, "");
    expect(contents).toEqual([[trim(ATTEMPTS_CONTENTS[1])], [trim(ATTEMPTS_CONTENTS[2])], [trim(ATTEMPTS_CONTENTS[0])]]);
  });

  it("answers the verifier YES-heavy, and NO-heavy once the marker is in the diff", async () => {
    const clean = await harness.generations.score({ messages: verifier("+Hello, world\n") });
    const marked = await harness.generations.score({ messages: verifier(`+Hello, world\n+${ATTEMPTS_MARKER}\n`) });
    expect(clean.score).toBeGreaterThan(0.7);
    expect(clean.score).toBeLessThan(0.9);
    expect(clean.pYes + clean.pNo).toBeGreaterThan(0.999);
    expect(marked.score).toBeLessThan(0.01);
  });

  it("still follows its after-tool script with the marker and a closed thinking in context", async () => {
    const messages: GenerationRequest["messages"] = [
      ...task,
      { role: "assistant", reasoning_content: "I will write the file.", content: "", tool_calls: [{ type: "function", id: "c1", function: { name: "write_file", arguments: { path: "greet.txt", content: `Hello, world\n${ATTEMPTS_MARKER}\n` } } }] },
      { role: "tool", tool_call_id: "c1", content: "Wrote greet.txt" },
    ];
    const events = await harness.generate("after-tool", { messages, sampling: { seed: 1 } });
    expect(`${joinText(events, "reasoning_delta")}\n</think>\n\n${joinText(events, "content_delta")}`).toBe(expectedOutput("attempts", "afterTool"));
  });
});
