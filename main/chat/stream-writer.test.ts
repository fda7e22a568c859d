import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MessageStats } from "../../app/chat/types";
import { StreamWriter, recoverInterrupted, startAssistantStream } from "./stream-writer";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date(2025, 5, 15, 12, 0) });
});
afterEach(() => {
  vi.useRealTimers();
  t.cleanup();
});

/** What is on disk now. */
const stored = (id: string) => t.repo.getMessage(id);

function start() {
  const c = t.repo.createConversation();
  t.repo.appendMessage(c.id, { role: "user", content: "Q" });
  const flushes: string[] = [];
  const writer = startAssistantStream(t.repo, c.id, {
    newToolCallId: () => "call-1",
    onFlush: (w) => flushes.push(`${w.reasoning}|${w.content}|${w.toolCalls}`),
  });
  return { c, writer, flushes };
}

const stats: MessageStats = {
  promptTokens: 10, reusedTokens: 4, evaluatedTokens: 6, ttftMs: 120, prefillTps: 50, decodeTps: 20,
  generatedTokens: 30, totalMs: 1600,
};

describe("StreamWriter", () => {
  it("buffers deltas and writes them at most every 500 ms", () => {
    t = openTestDb({ now: Date.now });
    const { writer, flushes } = start();
    writer.appendReasoning("a");
    vi.advanceTimersByTime(100);
    writer.appendReasoning("b");
    expect(stored(writer.messageId).reasoning).toBe("");
    vi.advanceTimersByTime(399);
    expect(flushes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(stored(writer.messageId).reasoning).toBe("ab");
    expect(flushes).toEqual(["ab||0"]);

    // Steady streaming: one write per interval, never more.
    for (let i = 0; i < 100; i++) {
      writer.appendReasoning(".");
      vi.advanceTimersByTime(20);
    }
    expect(flushes).toHaveLength(1 + 4);
    vi.advanceTimersByTime(500);
    expect(stored(writer.messageId).reasoning).toBe(`ab${".".repeat(100)}`);
    expect(stored(writer.messageId).status).toBe("streaming");
    // Idle: nothing pending, no timer left.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("writes at once on the reasoning→content switch, a completed tool call and the end", () => {
    t = openTestDb({ now: Date.now });
    const { c, writer } = start();
    writer.appendReasoning("think");
    vi.advanceTimersByTime(10);
    writer.appendContent("Hel");
    expect(stored(writer.messageId)).toMatchObject({ reasoning: "think", content: "Hel" });
    writer.appendContent("lo");
    expect(stored(writer.messageId).content).toBe("Hel");
    const call = writer.addToolCall({ name: "read_file", arguments: { path: "a.txt" } });
    expect(call).toEqual({ id: "call-1", name: "read_file", arguments: { path: "a.txt" } });
    expect(stored(writer.messageId)).toMatchObject({ content: "Hello", toolCalls: [call] });

    vi.advanceTimersByTime(1000);
    const done = writer.finish("complete", { stats });
    expect(done).toMatchObject({ status: "complete", content: "Hello", reasoning: "think", stats: { ...stats, reasoningMs: 10 } });
    expect(stored(writer.messageId)).toEqual(done);
    expect(t.repo.getConversation(c.id).updatedAt).toBe(Date.now());
    expect(vi.getTimerCount()).toBe(0);
    expect(() => writer.appendContent("late")).toThrow(expect.objectContaining({ code: "bad_request" }));
  });

  it("maps engine events: deltas, tool calls, stats and how it ended", () => {
    t = openTestDb({ now: Date.now });
    const run = (events: Parameters<StreamWriter["apply"]>[0][]) => {
      const { writer } = start();
      let last;
      for (const e of events) last = writer.apply(e) ?? last;
      return last;
    };
    const engineStats = {
      promptTokens: 10, reusedTokens: 4, evaluatedTokens: 6, generatedTokens: 30, ttftMs: 120,
      prefillTokensPerSecond: 50, decodeTokensPerSecond: 20, totalMs: 1600,
    };
    expect(run([
      { type: "reasoning_delta", text: "hmm" },
      { type: "content_delta", text: "Hi" },
      { type: "tool_call_started", index: 0, name: "ls" },
      { type: "tool_call_completed", index: 0, name: "ls", arguments: { dir: "." } },
      { type: "stats", stats: engineStats },
      { type: "done", finish_reason: "tool_calls" },
    ])).toMatchObject({
      status: "complete", reasoning: "hmm", content: "Hi",
      toolCalls: [{ id: "call-1", name: "ls", arguments: { dir: "." } }],
      stats: { ...stats, reasoningMs: 0 },
    });
    expect(run([{ type: "content_delta", text: "par" }, { type: "done", finish_reason: "abort" }]))
      .toMatchObject({ status: "stopped", content: "par" });
    expect(run([{ type: "content_delta", text: "par" }, { type: "done", finish_reason: "error", error: { code: "engine_crashed", message: "boom" } }]))
      .toMatchObject({ status: "interrupted", content: "par", error: "boom" });
    expect(run([{ type: "done", finish_reason: "error" }])).toMatchObject({ status: "error" });

    // A call the parser flagged keeps its verdict on disk (even nameless), so the agent never runs it.
    const error = { code: "unclosed_tool_call", message: "the output ended before </invoke>, so the call may be incomplete" } as const;
    const flagged = run([
      { type: "tool_call_completed", index: 0, name: "write_file", arguments: { path: "a" }, error },
      { type: "tool_call_completed", index: 1, name: "", arguments: {}, error },
      { type: "done", finish_reason: "stop" },
    ]);
    expect(flagged && stored(flagged.id).toolCalls).toEqual([
      { id: "call-1", name: "write_file", arguments: { path: "a" }, error },
      { id: "call-1", name: "", arguments: {}, error },
    ]);

    const { writer } = start();
    writer.apply({ type: "content_delta", text: "x" });
    writer.apply({ type: "done", finish_reason: "stop" });
    writer.apply({ type: "stats", stats: engineStats }); // late: still stored
    expect(stored(writer.messageId)).toMatchObject({ status: "complete", content: "x", stats });
  });

  it("reports a message deleted under it instead of writing elsewhere", () => {
    t = openTestDb({ now: Date.now });
    const errors: unknown[] = [];
    const c = t.repo.createConversation();
    const m = t.repo.appendMessage(c.id, { role: "assistant", status: "streaming" });
    const writer = new StreamWriter(t.db, m.id, { onError: (e) => errors.push(e) });
    writer.appendContent("x");
    t.repo.deleteMessage(m.id);
    vi.advanceTimersByTime(500);
    expect(errors).toEqual([expect.objectContaining({ code: "not_found" })]);
    expect(() => writer.appendContent("y")).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("snapshots the text every event left, written or not, with the thinking's time and the engine's token count", () => {
    t = openTestDb({ now: Date.now });
    const { writer } = start();
    expect(writer.snapshot().thinking).toBeNull();
    writer.apply({ type: "reasoning_delta", text: "Let me ", tokens: 2 });
    vi.advanceTimersByTime(1200);
    writer.apply({ type: "reasoning_delta", text: "think.", tokens: 5 });
    expect(writer.snapshot()).toMatchObject({ message: { reasoning: "Let me think.", content: "" }, thinking: { ms: 1200, tokens: 5, baseTokens: 0, ended: false } });
    vi.advanceTimersByTime(300);
    writer.apply({ type: "content_delta", text: "Hi" });
    vi.advanceTimersByTime(5000);
    // Not written yet (inside the flush interval) but in the snapshot; the thinking's time stopped at the answer.
    writer.apply({ type: "content_delta", text: " there" });
    expect(stored(writer.messageId).content).toBe("Hi");
    expect(writer.snapshot()).toMatchObject({ message: { content: "Hi there", status: "streaming" }, thinking: { ms: 1500, tokens: 5, ended: true } });
  });

  it("a continued answer's snapshot adds the earlier run's thinking time and tokens", () => {
    t = openTestDb({ now: Date.now });
    const c = t.repo.createConversation();
    const partial = t.repo.appendMessage(c.id, { role: "assistant", status: "streaming", reasoning: "Half a", stats: { ...stats, reasoningMs: 4000, reasoningTokens: 40 } });
    const writer = new StreamWriter(t.db, partial.id, { prior: { ...stats, reasoningMs: 4000, reasoningTokens: 40 } });
    writer.apply({ type: "reasoning_delta", text: " thought", tokens: 3 });
    vi.advanceTimersByTime(1000);
    expect(writer.snapshot().thinking).toEqual({ ms: 5000, tokens: 43, baseTokens: 40, ended: false });
  });

  it("attaches only to a streaming message, keeping its text", () => {
    t = openTestDb({ now: Date.now });
    const c = t.repo.createConversation();
    const done = t.repo.appendMessage(c.id, { role: "assistant", content: "x" });
    expect(() => new StreamWriter(t.db, done.id)).toThrow(expect.objectContaining({ code: "bad_request" }));
    const partial = t.repo.appendMessage(c.id, { role: "assistant", status: "streaming", content: "par" });
    const writer = new StreamWriter(t.db, partial.id);
    writer.appendContent("tial");
    expect(writer.finish("complete").content).toBe("partial");
  });
});

describe("recoverInterrupted", () => {
  it("marks every streaming message interrupted, keeping its partial text, and touches nothing else", () => {
    t = openTestDb({ now: Date.now });
    const c = t.repo.createConversation();
    const done = t.repo.appendMessage(c.id, { role: "user", content: "Q" });
    const a = t.repo.appendMessage(c.id, { role: "assistant", status: "streaming", content: "half an ans", reasoning: "r" });
    const b = t.repo.regenerate(a.id);
    expect(recoverInterrupted(t.db)).toBe(2);
    expect(stored(a.id)).toMatchObject({ status: "interrupted", content: "half an ans", reasoning: "r" });
    expect(stored(b.id)).toMatchObject({ status: "interrupted", content: "" });
    expect(stored(done.id)).toEqual(done);
    expect(recoverInterrupted(t.db)).toBe(0);
  });
});
