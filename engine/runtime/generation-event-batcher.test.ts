import { describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { GenerationEventBatcher } from "./generation-event-batcher";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const sent: Array<{ at: number; events: GenerationEvent[] }> = [];
  const start = performance.now();
  return { sent, send: (events: GenerationEvent[]) => void sent.push({ at: performance.now() - start, events }) };
}

describe("GenerationEventBatcher", () => {
  it("sends the first delta at once, then merges what follows within the interval into one timed message", async () => {
    const { sent, send } = recorder();
    const batcher = new GenerationEventBatcher(send, 30);
    batcher.push({ type: "reasoning_delta", text: "a" });
    expect(sent).toHaveLength(1);
    batcher.push({ type: "reasoning_delta", text: "b" });
    batcher.push({ type: "reasoning_delta", text: "c" });
    batcher.push({ type: "content_delta", text: "d" });
    batcher.push({ type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: false, value_delta: "x" });
    batcher.push({ type: "content_delta", text: "e" });
    expect(sent).toHaveLength(1);
    await sleep(60);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.at).toBeGreaterThanOrEqual(25);
    expect(sent[1]?.events).toEqual([
      { type: "reasoning_delta", text: "bc" },
      { type: "content_delta", text: "d" },
      { type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: false, value_delta: "x" },
      { type: "content_delta", text: "e" },
    ]);
  });

  it("an event that may not wait flushes what waits first and goes alone, at once", () => {
    const { sent, send } = recorder();
    const batcher = new GenerationEventBatcher(send, 1_000);
    batcher.push({ type: "content_delta", text: "a" });
    batcher.push({ type: "content_delta", text: "b" });
    batcher.push({ type: "tool_call_started", index: 0, name: "f" });
    batcher.push({ type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: true, value: 1 });
    batcher.push({ type: "content_delta", text: "c" });
    batcher.push({ type: "done", finish_reason: "stop" });
    expect(sent.map((s) => s.events)).toEqual([
      [{ type: "content_delta", text: "a" }],
      [{ type: "content_delta", text: "b" }],
      [{ type: "tool_call_started", index: 0, name: "f" }],
      [{ type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: true, value: 1 }],
      [{ type: "content_delta", text: "c" }],
      [{ type: "done", finish_reason: "stop" }],
    ]);
  });

  it("a send that fails on an event that may not wait throws to its emitter, after what waited went out", () => {
    const sent: GenerationEvent[][] = [];
    const batcher = new GenerationEventBatcher((events) => {
      if (events.some((e) => e.type === "tool_call_completed")) throw new RangeError("Maximum call stack size exceeded");
      sent.push(events);
    }, 1_000);
    batcher.push({ type: "content_delta", text: "a" });
    batcher.push({ type: "content_delta", text: "b" });
    expect(() => batcher.push({ type: "tool_call_completed", index: 0, name: "f", arguments: {} })).toThrow(RangeError);
    expect(sent).toEqual([[{ type: "content_delta", text: "a" }], [{ type: "content_delta", text: "b" }]]);
  });

  it("a timer's failed send is thrown by the next push", async () => {
    let fail = false;
    const batcher = new GenerationEventBatcher(() => {
      if (fail) throw new Error("channel closed");
    }, 10);
    batcher.push({ type: "content_delta", text: "a" });
    fail = true;
    batcher.push({ type: "content_delta", text: "b" });
    await sleep(40);
    fail = false;
    expect(() => batcher.push({ type: "done", finish_reason: "stop" })).toThrow("channel closed");
    expect(() => batcher.push({ type: "done", finish_reason: "stop" })).not.toThrow();
  });
});
