import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../m2/types";
import { RepeatDetector, callSignature, fitToolOutputs } from "./loop-guards";

describe("RepeatDetector", () => {
  it("fires on the third identical call in a row, whatever the key order", () => {
    const d = new RepeatDetector(3);
    expect(d.record("read_file", { path: "a", start_line: 1 })).toBe(false);
    expect(d.record("read_file", { start_line: 1, path: "a" })).toBe(false);
    expect(d.record("read_file", { path: "a", start_line: 1 })).toBe(true);
  });

  it("resets when a different call comes between", () => {
    const d = new RepeatDetector(3);
    d.record("list_files", { path: "." });
    d.record("list_files", { path: "." });
    expect(d.record("read_file", { path: "x" })).toBe(false);
    expect(d.record("list_files", { path: "." })).toBe(false);
    expect(callSignature("t", { b: [{ y: 1, x: 2 }], a: 1 })).toBe('t {"a":1,"b":[{"x":2,"y":1}]}');
  });
});

describe("fitToolOutputs", () => {
  const big = (c: string) => c.repeat(5_000);
  const conversation: ChatMessage[] = [
    { role: "user", content: "go" },
    { role: "assistant", content: "", reasoning_content: "step 1 thinking", tool_calls: [{ id: "1", type: "function", function: { name: "read_file", arguments: { path: "a" } } }] },
    { role: "tool", tool_call_id: "1", content: big("a") },
    { role: "assistant", content: "", reasoning_content: "step 2 thinking", tool_calls: [{ id: "2", type: "function", function: { name: "read_file", arguments: { path: "b" } } }] },
    { role: "tool", tool_call_id: "2", content: big("b") },
  ];

  it("cuts the oldest outputs first, with a marker, and never the current step's or any reasoning", () => {
    const fitted = fitToolOutputs(conversation, 6_000);
    const first = fitted[2] as { content: string };
    expect(first.content.startsWith("a".repeat(400))).toBe(true);
    expect(first.content).toContain("4600 characters removed");
    expect((fitted[4] as { content: string }).content).toBe(big("b"));
    expect(fitted.filter((m) => m.role === "assistant").map((m) => (m as { reasoning_content?: string }).reasoning_content)).toEqual(["step 1 thinking", "step 2 thinking"]);
  });

  it("changes nothing under the budget", () => {
    expect(fitToolOutputs(conversation, 1_000_000)).toEqual(conversation);
  });
});
