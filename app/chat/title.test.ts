import { describe, expect, it } from "vitest";
import { DEFAULT_TITLE, autoTitle } from "./title";

describe("autoTitle", () => {
  it("takes the first non-blank line, whitespace collapsed", () => {
    expect(autoTitle("\n\n   Fix   the\tbuild  \nsecond line")).toBe("Fix the build");
  });

  it("keeps a title of exactly 60 characters whole", () => {
    const text = "a".repeat(30) + " " + "b".repeat(29);
    expect(autoTitle(text)).toBe(text);
  });

  it("cuts a long line on a word boundary, with an ellipsis, within 60 characters", () => {
    const title = autoTitle(
      "Explain how interleaved thinking works in MiniMax-M2 when tools are called repeatedly in one turn",
    );
    expect(title).toBe("Explain how interleaved thinking works in MiniMax-M2 when…");
    expect(Array.from(title).length).toBeLessThanOrEqual(60);
  });

  it("drops trailing punctuation before the ellipsis", () => {
    const title = autoTitle("word ".repeat(10) + "comma, and then a lot more words that go past the limit");
    expect(title.endsWith(",…")).toBe(false);
    expect(Array.from(title).length).toBeLessThanOrEqual(60);
  });

  it("cuts a single overlong word hard", () => {
    const title = autoTitle("x".repeat(100));
    expect(title).toBe("x".repeat(59) + "…");
  });

  it("counts code points, never splitting an emoji", () => {
    const title = autoTitle("🙂".repeat(80));
    expect(Array.from(title)).toHaveLength(60);
    expect(title).toBe("🙂".repeat(59) + "…");
  });

  it("falls back to the default title for blank text", () => {
    expect(autoTitle("  \n \t ")).toBe(DEFAULT_TITLE);
  });
});
