import { describe, expect, it } from "vitest";
import { SCRIPTS, LONG_LINES } from "./m2-scripts";
import { toSegments } from "./segments";

describe("toSegments", () => {
  it("merges repeated, single-byte and reserved chunks until every segment is unique", () => {
    const [a, b] = toSegments([["x ", "ok ", "<think>", "! ", "end"], ["y ", "ok ", "end"]], new Set(["<think>"]));
    const all = [...(a ?? []), ...(b ?? [])];
    expect(new Set(all).size).toBe(all.length);
    expect(a?.join("")).toBe("x ok <think>! end");
    expect(b?.join("")).toBe("y ok end");
    expect(all.every((s) => s.length >= 2 && s !== "<think>")).toBe(true);
  });

  it("keeps the long script at one token per line", () => {
    const [turn1] = toSegments([SCRIPTS.long.turn1, SCRIPTS.long.afterTool], new Set());
    expect(turn1?.length).toBeGreaterThan(LONG_LINES);
  });
});
