import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../../../app/chat/types";
import { applyEvents, continuedLiveAnswer, liveContent, newLiveAnswer } from "./live-answer";
import { answerStartedAfter, displayParts, thinkingSummary } from "./message-view";

const stored = (over: Partial<StoredMessage> = {}): StoredMessage => ({
  id: "m1",
  conversationId: "c1",
  parentId: "u1",
  role: "assistant",
  content: "",
  reasoning: "",
  toolCalls: [],
  status: "streaming",
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe("applyEvents", () => {
  it("accumulates thinking then text, timing the thinking and counting its tokens", () => {
    let a = newLiveAnswer("g1", 0);
    a = applyEvents(a, [{ type: "reasoning_delta", text: "Let me " }, { type: "reasoning_delta", text: "think." }], 100);
    expect(a.parts).toEqual([{ kind: "reasoning", text: "Let me think.", tokens: 2, startedAt: 100 }]);
    const before = a;
    a = applyEvents(a, [{ type: "content_delta", text: "\n\nHi" }, { type: "content_delta", text: " there" }], 2100);
    expect(before.parts).toHaveLength(1); // immutable: the old state is untouched
    expect(a.parts[0]).toMatchObject({ kind: "reasoning", endedAt: 2100 });
    expect(liveContent(a)).toBe("\n\nHi there");
    expect(a.firstTokenAt).toBe(100);
  });

  it("counts thinking tokens as the engine does when its deltas say so (merged deltas count all their tokens)", () => {
    let a = newLiveAnswer("g1", 0);
    a = applyEvents(a, [{ type: "reasoning_delta", text: "Let me ", tokens: 3 }, { type: "reasoning_delta", text: "think.", tokens: 9 }], 100);
    expect(a.parts).toEqual([{ kind: "reasoning", text: "Let me think.", tokens: 9, startedAt: 100 }]);
  });

  it("a followed answer starts from the host's text and thinking figures, and its later deltas go on from them", () => {
    const message = stored({ reasoning: "Half a", content: "" });
    let a = continuedLiveAnswer("g1", message, 10_000, { ms: 5000, tokens: 43, baseTokens: 40, ended: false });
    expect(a.parts).toEqual([{ kind: "reasoning", text: "Half a", tokens: 43, baseTokens: 40, startedAt: 5000 }]);
    a = applyEvents(a, [{ type: "reasoning_delta", text: " thought", tokens: 6 }], 11_000);
    a = applyEvents(a, [{ type: "content_delta", text: "Done." }], 12_000);
    expect(a.parts).toEqual([
      { kind: "reasoning", text: "Half a thought", tokens: 46, baseTokens: 40, startedAt: 5000, endedAt: 12_000 },
      { kind: "content", text: "Done." },
    ]);
    // Thinking that had ended keeps the host's time; the stored tool calls are shown done.
    const ended = continuedLiveAnswer("g2", stored({ reasoning: "R", content: "Hi", toolCalls: [{ id: "c", name: "read_file", arguments: { path: "a" } }] }), 10_000, { ms: 2000, tokens: 7, baseTokens: 0, ended: true });
    expect(ended.parts).toEqual([
      { kind: "reasoning", text: "R", tokens: 7, baseTokens: 0, startedAt: 8000, endedAt: 10_000 },
      { kind: "content", text: "Hi" },
      { kind: "tool", index: 0, name: "read_file", args: { path: "a" }, status: "done" },
    ]);
    expect(thinkingSummary(displayParts(stored({ reasoning: "R", content: "Hi" }), ended).find((p) => p.kind === "thinking")! as never)).toBe("Thought for 2 s · 7 tokens");
  });

  it("keeps each step of a tool loop in order, with streamed arguments", () => {
    let a = newLiveAnswer("g1", 0);
    a = applyEvents(a, [
      { type: "reasoning_delta", text: "I need files." },
      { type: "tool_call_started", index: 0, name: "list_files" },
      { type: "tool_call_argument", index: 0, name: "list_files", parameter: "path", complete: false, value_delta: "." },
    ], 10);
    expect(a.parts.map((p) => p.kind)).toEqual(["reasoning", "tool"]);
    expect(a.parts[1]).toMatchObject({ args: { path: "." }, status: "running" });
    a = applyEvents(a, [
      { type: "tool_call_completed", index: 0, name: "list_files", arguments: { path: ".", depth: 2 } },
      { type: "reasoning_delta", text: "Now answer." },
    ], 20);
    expect(a.parts.map((p) => p.kind)).toEqual(["reasoning", "tool", "reasoning"]);
    expect(a.parts[1]).toMatchObject({ status: "done", args: { path: ".", depth: "2" } });
  });

  it("marks a tool call cut off by the end of the stream as failed", () => {
    let a = newLiveAnswer("g1", 0);
    a = applyEvents(a, [{ type: "tool_call_started", index: 0, name: "x" }, { type: "done", finish_reason: "abort" }], 5);
    expect(a.parts[0]).toMatchObject({ status: "error" });
    expect(a.finished).toEqual({ reason: "abort" });
  });
});

describe("displayParts", () => {
  it("shows the live stream while the stored copy is streaming, then the stored copy with the client's timing", () => {
    let a = newLiveAnswer("g1", 0);
    a = applyEvents(a, [{ type: "reasoning_delta", text: "Hmm." }], 1000);
    let parts = displayParts(stored(), a);
    expect(parts[0]).toMatchObject({ kind: "thinking", live: true, key: "reasoning0" });
    expect(answerStartedAfter(parts, 0)).toBe(false);
    a = applyEvents(a, [{ type: "content_delta", text: "Answer" }], 13_000);
    parts = displayParts(stored(), a);
    expect(parts[0]).toMatchObject({ live: false, ms: 12_000 });
    expect(answerStartedAfter(parts, 0)).toBe(true);
    const final = displayParts(stored({ status: "complete", reasoning: "Hmm.", content: "Answer" }), a);
    expect(final.map((p) => p.key)).toEqual(["reasoning0", "content0"]);
    expect(thinkingSummary(final[0] as Extract<(typeof final)[0], { kind: "thinking" }>)).toBe("Thought for 12 s · 1 token");
  });

  it("prefers the stored stats, and estimates tokens when there are none", () => {
    const withStats = displayParts(
      stored({
        status: "complete",
        reasoning: "x".repeat(400),
        content: "y",
        stats: { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, ttftMs: 1, prefillTps: 1, decodeTps: 1, generatedTokens: 1, totalMs: 1, reasoningMs: 4200, reasoningTokens: 480 },
      }),
      undefined,
    );
    expect(thinkingSummary(withStats[0] as never)).toBe("Thought for 4 s · 480 tokens");
    const bare = displayParts(stored({ status: "complete", reasoning: "x".repeat(400), content: "y" }), undefined);
    expect(thinkingSummary(bare[0] as never)).toBe("Thought · ~100 tokens");
  });
});
