import { describe, expect, it } from "vitest";
import { parseApprovalAnswer } from "./approval-answer";

describe("parseApprovalAnswer", () => {
  it("approves on y, always-allows on a only where offered", () => {
    expect(parseApprovalAnswer(" Y ", false)).toEqual({ kind: "approve", always: false });
    expect(parseApprovalAnswer("yes", true)).toEqual({ kind: "approve", always: false });
    expect(parseApprovalAnswer("a", true)).toEqual({ kind: "approve", always: true });
    expect(parseApprovalAnswer("always", false)).toEqual({ kind: "decline" });
  });

  it("declines with the reason after n, asks for one after a bare n, and declines anything else without one", () => {
    expect(parseApprovalAnswer("n write it under docs/ instead", false)).toEqual({ kind: "decline", reason: "write it under docs/ instead" });
    expect(parseApprovalAnswer("No   too risky  ", true)).toEqual({ kind: "decline", reason: "too risky" });
    expect(parseApprovalAnswer("n", true)).toEqual({ kind: "ask_reason" });
    expect(parseApprovalAnswer("no", true)).toEqual({ kind: "ask_reason" });
    expect(parseApprovalAnswer("", true)).toEqual({ kind: "decline" });
    expect(parseApprovalAnswer("nope", true)).toEqual({ kind: "decline" });
    expect(parseApprovalAnswer("yy", true)).toEqual({ kind: "decline" });
  });
});
