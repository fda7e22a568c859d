import { describe, expect, it } from "vitest";
import { MAX_OPEN_TAG, findEarliest, heldSuffixLength, readNameAttr, readOpenTag } from "./parser-scan";

describe("findEarliest", () => {
  it("prefers the earliest, then the longest needle", () => {
    expect(findEarliest("ab\n</think>", ["</think>", "\n</think>"])).toEqual({ index: 2, needle: "\n</think>" });
    expect(findEarliest("nothing", ["</think>"])).toBeNull();
  });
});

describe("heldSuffixLength", () => {
  it("holds only a proper prefix of a needle", () => {
    expect(heldSuffixLength("text </thi", ["</think>"])).toBe(5);
    expect(heldSuffixLength("text\n", ["\n<minimax:tool_call>", "</think>"])).toBe(1);
    expect(heldSuffixLength("a <b", ["</think>"])).toBe(0);
    expect(heldSuffixLength("", ["</think>"])).toBe(0);
  });
});

describe("readOpenTag", () => {
  it("reads a complete tag, waits for a partial one, rejects non-tags", () => {
    expect(readOpenTag('<invoke name="a">rest', "<invoke")).toEqual({ kind: "tag", length: 17, attrs: ' name="a"' });
    expect(readOpenTag('<invoke name="a', "<invoke")).toEqual({ kind: "wait" });
    expect(readOpenTag("<invoke", "<invoke")).toEqual({ kind: "wait" });
    expect(readOpenTag("<invoked>", "<invoke")).toEqual({ kind: "not_tag" });
    expect(readOpenTag(`<invoke ${"x".repeat(MAX_OPEN_TAG)}`, "<invoke")).toEqual({ kind: "not_tag" });
  });
});

describe("readNameAttr", () => {
  it("accepts double, single and no quotes", () => {
    expect(readNameAttr(' name="get_weather"')).toBe("get_weather");
    expect(readNameAttr(" name='a b'")).toBe("a b");
    expect(readNameAttr(" name=plain ")).toBe("plain");
    expect(readNameAttr(' name = "x" extra="y"')).toBe("x");
  });

  it("returns null without a name", () => {
    expect(readNameAttr("")).toBeNull();
    expect(readNameAttr(' name=""')).toBeNull();
    expect(readNameAttr(' id="x"')).toBeNull();
  });
});
