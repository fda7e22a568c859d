import { describe, expect, it } from "vitest";
import { BlockSplitter, toBlocks } from "./blocks";
import { lexBlocks, markdownToHtml } from "./render";

const sample =
  "Here is a short example in **TypeScript**:\n\n" +
  "```ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```\n\n" +
  "Key points:\n\n- It is a pure function.\n- It is fully typed.\n\n" +
  "| Input | Output |\n| --- | --- |\n| add(1, 2) | 3 |\n| add(2, 3) | 5 |\n";

/** Feeds the text a few characters at a time, like a stream. */
function stream(text: string, step: number) {
  const splitter = new BlockSplitter(lexBlocks);
  const lexed: number[] = [];
  let result = splitter.update("");
  for (let i = step; i < text.length + step; i += step) {
    result = splitter.update(text.slice(0, i));
    lexed.push(result.done.length);
  }
  return { splitter, result, lexed };
}

describe("BlockSplitter", () => {
  it("ends with the same blocks as lexing the whole text at once", () => {
    for (const step of [1, 3, 7, 40]) {
      const { splitter } = stream(sample, step);
      const streamed = toBlocks(splitter.update(sample, true)).map((b) => b.raw.trim());
      const whole = lexBlocks(sample).filter((t) => t.type !== "space").map((t) => t.raw.trim());
      expect(streamed).toEqual(whole);
    }
  });

  it("finishes a block only once a later block has started", () => {
    const splitter = new BlockSplitter(lexBlocks);
    expect(splitter.update("Para one.\n\n")).toEqual({ done: [], growing: "Para one." });
    const r = splitter.update("Para one.\n\nPara");
    expect(r.done.map((s) => s.trim())).toEqual(["Para one."]);
    expect(r.growing).toBe("Para");
  });

  it("keeps a list open across a blank line, since another item may follow", () => {
    const splitter = new BlockSplitter(lexBlocks);
    splitter.update("- a\n- b\n\n");
    const more = splitter.update("- a\n- b\n\n- c\n");
    expect(more.done).toEqual([]);
    expect(more.growing).toContain("- c");
  });

  it("keeps an unclosed code fence as the growing block", () => {
    const splitter = new BlockSplitter(lexBlocks);
    const r = splitter.update("Intro\n\n```py\nprint(1)\n\nprint(2)\n");
    expect(r.done.map((s) => s.trim())).toEqual(["Intro"]);
    expect(r.growing).toContain("print(2)");
  });

  it("re-lexes from scratch when the text is replaced rather than extended", () => {
    const splitter = new BlockSplitter(lexBlocks);
    splitter.update("A\n\nB\n\nC");
    const r = splitter.update("X\n\nY");
    expect(r.done.map((s) => s.trim())).toEqual(["X"]);
    expect(r.growing).toBe("Y");
  });

  it("returns the same done array while nothing new finishes (memoization key)", () => {
    const splitter = new BlockSplitter(lexBlocks);
    const a = splitter.update("A\n\nB");
    const b = splitter.update("A\n\nBB");
    expect(b.done).toBe(a.done);
  });
});

describe("markdownToHtml", () => {
  it("renders GFM tables, lists and highlighted code with a copy button", () => {
    const html = markdownToHtml(sample);
    expect(html).toContain("<table>");
    expect(html).toContain("<li>It is a pure function.</li>");
    expect(html).toContain('class="hljs language-ts"');
    expect(html).toContain('<span class="hljs-keyword">export</span>');
    expect(html).toContain("data-copy-code");
  });

  it("renders inline and block math with KaTeX, and leaves prices alone", () => {
    const html = markdownToHtml("Euler: $e^{i\\pi} + 1 = 0$ costs $5 and $10.\n\n$$\n\\int_0^1 x\\,dx\n$$\n");
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="math-block"');
    expect(html).toContain("costs $5 and $10");
  });

  it("shows raw HTML from the model as text", () => {
    expect(markdownToHtml("Use <script>alert(1)</script> here")).toContain("&lt;script&gt;");
  });
});
