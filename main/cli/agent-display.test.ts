import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changeLines, formatToolOutput, writePreview } from "./agent-display";
import { colorEnabled } from "./terminal";

const workspace = mkdtempSync(join(tmpdir(), "m2d-preview-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe("the agent's approval preview", () => {
  it("shows an edit_file as the lines it replaces, with three lines of context each side", () => {
    writeFileSync(join(workspace, "a.ts"), ["1", "2", "3", "4", "const x = 1;", "6", "7", "8", "9"].join("\n") + "\n");
    const preview = writePreview(workspace, "edit_file", { path: "a.ts", old_string: "x = 1", new_string: "x = 2;\nconst y = 3" });
    expect(preview).toBe(["  a.ts", "  @@ -2,7 +2,8 @@", "   2", "   3", "   4", "  -const x = 1;", "  +const x = 2;", "  +const y = 3;", "   6", "   7", "   8", ""].join("\n"));
  });

  it("shows a write_file over an existing file as the changed middle, and a new file as all added (numbered from line 0, as diff -u does)", () => {
    writeFileSync(join(workspace, "b.md"), "# Title\nold line\nend\n");
    expect(writePreview(workspace, "write_file", { path: "b.md", content: "# Title\nnew line\nend\n" })).toBe(
      ["  b.md", "  @@ -1,3 +1,3 @@", "   # Title", "  -old line", "  +new line", "   end", ""].join("\n"),
    );
    expect(writePreview(workspace, "write_file", { path: "new.txt", content: "a\nb" })).toBe(["  new file new.txt", "  @@ -0,0 +1,2 @@", "  +a", "  +b", ""].join("\n"));
  });

  it("shows a write_file that changes two places far apart as two minimal hunks, not one block replaced", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const after = lines.map((line, i) => (i === 1 ? "second" : i === 17 ? "eighteenth" : line));
    expect(changeLines(`${lines.join("\n")}\n`, `${after.join("\n")}\n`)).toEqual([
      "@@ -1,5 +1,5 @@",
      " line 1",
      "-line 2",
      "+second",
      " line 3",
      " line 4",
      " line 5",
      "@@ -15,6 +15,6 @@",
      " line 15",
      " line 16",
      " line 17",
      "-line 18",
      "+eighteenth",
      " line 19",
      " line 20",
    ]);
  });

  it("cuts a long change with a count of the lines left out, and previews nothing outside the workspace or for an edit that cannot apply", () => {
    const preview = writePreview(workspace, "write_file", { path: "long.txt", content: Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n") }, 10);
    expect(preview?.split("\n").slice(-2)).toEqual(["  … 91 more lines", ""]);
    expect(writePreview(workspace, "write_file", { path: "../outside.txt", content: "x" })).toBeNull();
    expect(writePreview(workspace, "edit_file", { path: "b.md", old_string: "not there", new_string: "x" })).toBeNull();
    expect(writePreview(workspace, "read_file", { path: "b.md" })).toBeNull();
    expect(changeLines("same\n", "same\n")).toEqual(["(no change)"]);
  });

  it("prints a tool's output indented, long lines cut, and the lines past the limit counted", () => {
    const output = formatToolOutput(`${"x".repeat(300)}\n${Array.from({ length: 20 }, (_, i) => `row ${i}`).join("\n")}\n\n`, 5);
    expect(output).toBe(`    ${"x".repeat(200)}…\n    row 0\n    row 1\n    row 2\n    row 3\n    … 16 more lines\n`);
    expect(formatToolOutput("")).toBe("");
  });
});

describe("colour", () => {
  it("is on for a terminal only; NO_COLOR turns it off, FORCE_COLOR on (FORCE_COLOR=0 off), TERM=dumb off", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});
