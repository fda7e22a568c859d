import { describe, expect, it } from "vitest";
import { diffLines, unifiedHunks } from "./unified-diff";

const render = (before: string | null, after: string | null, context?: number) =>
  unifiedHunks(before, after, context).flatMap((h) => [h.header, ...h.lines.map((l) => `${{ context: " ", add: "+", remove: "-" }[l.kind]}${l.text}`)]);

describe("unified diff", () => {
  it("a created file is all additions from line 1", () => {
    expect(render(null, "Hello from M2\n")).toEqual(["@@ -0,0 +1,1 @@", "+Hello from M2"]);
  });

  it("a deleted file is all removals", () => {
    expect(render("a\nb\n", null)).toEqual(["@@ -1,2 +0,0 @@", "-a", "-b"]);
  });

  it("an edit in the middle shows three lines of context and correct ranges", () => {
    const before = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const after = before.replace("line 5\n", "line five\nextra\n");
    expect(render(before, after)).toEqual([
      "@@ -2,7 +2,8 @@",
      " line 2", " line 3", " line 4", "-line 5", "+line five", "+extra", " line 6", " line 7", " line 8",
    ]);
  });

  it("separate edits far apart make separate hunks; close ones merge", () => {
    const before = Array.from({ length: 20 }, (_, i) => `${i + 1}`).join("\n");
    expect(unifiedHunks(before, before.replace("2\n", "two\n").replace("18\n", "eighteen\n"))).toHaveLength(2);
    expect(unifiedHunks(before, before.replace("2\n", "two\n").replace("6\n", "six\n"))).toHaveLength(1);
  });

  it("identical texts have no hunks; every line is kept in order", () => {
    expect(unifiedHunks("a\nb\n", "a\nb\n")).toEqual([]);
    expect(diffLines("a\nx\nc\n", "a\ny\nc\n").map((l) => l.kind)).toEqual(["context", "remove", "add", "context"]);
  });
});
