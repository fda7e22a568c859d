import { describe, expect, it } from "vitest";
import { FenceTracker } from "./parser-fence";

function insideAfter(text: string): boolean {
  const fence = new FenceTracker();
  fence.feed(text);
  return fence.inside;
}

describe("FenceTracker", () => {
  it("opens on ``` or ~~~ lines and closes on a matching run", () => {
    expect(insideAfter("```ts\n")).toBe(true);
    expect(insideAfter("```ts\ncode\n```\n")).toBe(false);
    expect(insideAfter("~~~\n```\n")).toBe(true);
    expect(insideAfter("````\n```\n")).toBe(true);
    expect(insideAfter("````\n`````\n")).toBe(false);
    expect(insideAfter("```\n``` not a close\n")).toBe(true);
  });

  it("accepts indented fences, as in list items", () => {
    expect(insideAfter("1. step\n     ```bash\n")).toBe(true);
  });

  it("does not open on inline code", () => {
    expect(insideAfter("```inline``` text\n")).toBe(false);
    expect(insideAfter("``two``\n")).toBe(false);
  });

  it("classifies the current line before its newline arrives", () => {
    const fence = new FenceTracker();
    fence.feed("text\n```");
    expect(fence.inside).toBe(false);
    expect(fence.insideAfterLineEnd()).toBe(true);
    fence.feed("py\nx = 1\n``");
    expect(fence.inside).toBe(true);
    expect(fence.insideAfterLineEnd()).toBe(true);
    fence.feed("`");
    expect(fence.insideAfterLineEnd()).toBe(false);
  });

  it("gives the same state whatever the chunking", () => {
    const text = "a\n```js\nconst s = '```';\n```\nb\n~~~~\n";
    for (let at = 0; at <= text.length; at++) {
      const fence = new FenceTracker();
      fence.feed(text.slice(0, at));
      fence.feed(text.slice(at));
      expect(fence.inside).toBe(true);
    }
  });

  it("says whether a tag here is quoted: fence, inline code (open or not yet closed), fence info string", () => {
    const quoted = (text: string) => {
      const fence = new FenceTracker();
      fence.feed(text);
      return fence.quotesHere();
    };
    expect(quoted("Let me check.")).toBe(false);
    expect(quoted("Use `")).toBe(true);
    expect(quoted("Use `x` then ")).toBe(false);
    expect(quoted("Use ``a ` b")).toBe(true);
    expect(quoted("Use ``a ` b``")).toBe(false);
    expect(quoted("```")).toBe(true);
    expect(quoted("  ~~~")).toBe(true);
    expect(quoted("```js\ncode ")).toBe(true);
    expect(quoted("```js\ncode\n```\nafter ")).toBe(false);
    expect(quoted("open ` span\nnext line ")).toBe(false);
  });

  it("tracks inline code the same whatever the chunking", () => {
    const text = "a ``b ` c`` d `e\nf";
    const quotedAfter = (chunks: string[]) => {
      const fence = new FenceTracker();
      for (const chunk of chunks) fence.feed(chunk);
      return fence.quotesHere();
    };
    // After each prefix: is a tag there quoted? (1 = yes)
    const expected = "0001111111100001100";
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      expect({ prefix, quoted: quotedAfter([prefix]) }).toEqual({ prefix, quoted: expected[end] === "1" });
      for (let at = 0; at <= end; at++) {
        expect({ prefix, at, quoted: quotedAfter([prefix.slice(0, at), prefix.slice(at)]) }).toEqual({ prefix, at, quoted: expected[end] === "1" });
      }
    }
  });
});
