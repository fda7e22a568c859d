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
});
