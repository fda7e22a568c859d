import { describe, expect, it } from "vitest";
import { snippetSegments } from "./branch";
import { renderedSnippet } from "./snippet-text";

describe("rendered search snippets", () => {
  it("drops Markdown's markup and keeps the match markers", () => {
    expect(renderedSnippet("## The «cache»\n\n- keeps **keys** and `values`")).toBe("The «cache» keeps keys and values");
    expect(renderedSnippet("see [the «docs»](https://example.com/x) and *this* one_name")).toBe("see the «docs» and this one_name");
    expect(renderedSnippet("```ts\nconst «cache» = new Map();\n```")).toBe("const «cache» = new Map();");
    expect(renderedSnippet("| a | «b» |\n|---|---|")).toBe("a «b»");
    expect(renderedSnippet("> quoted «word»…")).toBe("quoted «word»…");
  });

  it("still highlights every match once rendered", () => {
    const segments = snippetSegments(renderedSnippet("**«KV»** and _«cache»_"));
    expect(segments.filter((s) => s.mark).map((s) => s.text)).toEqual(["KV", "cache"]);
  });
});
