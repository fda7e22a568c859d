import { afterEach, describe, expect, it, vi } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { GenerationEventBatcher } from "./generation-event-batcher";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const sent: Array<{ at: number; events: GenerationEvent[] }> = [];
  const start = performance.now();
  return { sent, send: (events: GenerationEvent[]) => void sent.push({ at: performance.now() - start, events }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("GenerationEventBatcher", () => {
  it("sends the first delta at once, then merges what follows within the interval into one timed message", async () => {
    const { sent, send } = recorder();
    const batcher = new GenerationEventBatcher(send, 30);
    batcher.push({ type: "reasoning_delta", text: "a" });
    expect(sent).toHaveLength(1);
    batcher.push({ type: "reasoning_delta", text: "b", tokens: 2 });
    batcher.push({ type: "reasoning_delta", text: "c", tokens: 3 });
    batcher.push({ type: "content_delta", text: "d" });
    batcher.push({ type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: false, value_delta: "x" });
    batcher.push({ type: "content_delta", text: "e" });
    expect(sent).toHaveLength(1);
    await sleep(60);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.at).toBeGreaterThanOrEqual(25);
    expect(sent[1]?.events).toEqual([
      { type: "reasoning_delta", text: "bc", tokens: 3 }, // the later count covers both
      { type: "content_delta", text: "d" },
      { type: "tool_call_argument", index: 0, name: "f", parameter: "p", complete: false, value_delta: "x" },
      { type: "content_delta", text: "e" },
    ]);
  });

  it("at a steady pace, sends happen at event boundaries (no timer during a decode step), none held past the interval", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const sends: Array<{ at: number; texts: string; fromPush: boolean }> = [];
    let pushing = false;
    const batcher = new GenerationEventBatcher((events) => {
      sends.push({ at: performance.now(), texts: events.map((e) => (e.type === "content_delta" ? e.text : "?")).join(""), fromPush: pushing });
    }, 16);
    const pushedAt = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const text = String.fromCharCode(97 + i);
      pushedAt.set(text, performance.now());
      pushing = true;
      batcher.push({ type: "content_delta", text });
      pushing = false;
      vi.advanceTimersByTime(10); // one token every 10 ms
    }
    pushing = true;
    batcher.flush(); // the generation's end
    expect(sends.every((s) => s.fromPush)).toBe(true);
    expect(sends.map((s) => s.texts).join("")).toBe("abcdefghijklmnopqrst");
    expect(sends.length).toBeLessThan(15); // coalesced: pairs, not one message per token
    for (const send of sends) for (const text of send.texts) expect(send.at - (pushedAt.get(text) ?? NaN)).toBeLessThanOrEqual(16);
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
