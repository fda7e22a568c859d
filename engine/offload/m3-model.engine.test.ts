import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { ensureM3TestModel, m3ExpectedOutput } from "../../node/gguf/m3-test-models";
import { joinText, startEngineHarness } from "../../testing/engine-harness";

// A scripted minimax-m3 GGUF through the real engine process (prebuilt node-llama-cpp, CPU backend):
// validated, planned and loaded as minimax-m3; it generates the scripted text, which the app's M3 protocol splits.

let harness: ReturnType<typeof startEngineHarness>;
let chatModel: string;

beforeAll(async () => {
  chatModel = await ensureM3TestModel("chat");
  harness = startEngineHarness();
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

/** The scripted text split as M3's protocol must split it: `<mm:think>reasoning</mm:think>content`. */
function expectedSplit(turn: "turn1" | "afterTool"): { reasoning: string; content: string } {
  const m = /^<mm:think>([\s\S]*)<\/mm:think>([\s\S]*)$/.exec(m3ExpectedOutput("chat", turn));
  if (!m) throw new Error("the chat script opens with its reasoning");
  return { reasoning: m[1] ?? "", content: m[2] ?? "" };
}

const split = (events: readonly GenerationEvent[]) => ({ reasoning: joinText(events, "reasoning_delta"), content: joinText(events, "content_delta") });

describe("a minimax-m3 model in the engine process", { timeout: 120_000 }, () => {
  it("loads as minimax-m3 with the CPU plan", async () => {
    const loaded = await harness.models.load(chatModel, { gpu: "cpu", contextSize: 2048 });
    expect(loaded.report.architecture).toBe("minimax-m3");
    expect(loaded.contextSize).toBe(2048);
    expect(loaded.offload).toMatchObject({ mode: "cpu", gpuLayers: 0 });
  });

  it("generates turn 1 of its script, split into reasoning and content by the M3 protocol", async () => {
    const events = await harness.generate("m3-turn-1", { messages: [{ role: "user", content: "Show me a tiny example." }] });
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(split(events)).toEqual(expectedSplit("turn1"));
  });

  it("switches to the after-tool script once a tool response is in the prompt", async () => {
    const events = await harness.generate("m3-after-tool", {
      messages: [
        { role: "user", content: "List the files." },
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "list_files", arguments: { path: "." } } }] },
        { role: "tool", tool_call_id: "c1", content: "README.md\nsrc/" },
      ],
    });
    expect(events.at(-1)).not.toHaveProperty("error");
    expect(split(events)).toEqual(expectedSplit("afterTool"));
    expect(harness.engine.getStatus().restarts).toBe(0);
  });

  it("the agent model's M3 tool call (namespace token on every tag) comes out as a parsed call", async () => {
    await harness.models.load(await ensureM3TestModel("agent"), { gpu: "cpu", contextSize: 2048 });
    const tools = [{ type: "function" as const, function: { name: "list_files", description: "List files.", parameters: { type: "object", properties: { path: { type: "string" } } } } }];
    const events = await harness.generate("m3-agent", { messages: [{ role: "user", content: "What is in this workspace?" }], tools });
    expect(events.filter((e) => e.type === "tool_call_completed")).toEqual([
      { type: "tool_call_completed", index: 0, name: "list_files", arguments: { path: "." } },
    ]);
    expect(events.at(-1)).toEqual({ type: "done", finish_reason: "tool_calls" });
    expect(joinText(events, "reasoning_delta")).toContain("I should call list_files");
  });
});
