import { describe, expect, it } from "vitest";
import { toolCardView } from "./tool-card-view";

describe("tool card view", () => {
  it("a write shows its diff and offers a preview of a page it wrote, once it succeeded", () => {
    expect(toolCardView("write_file", { path: "site/index.HTML", content: "<p>" }, true)).toEqual({ writes: true, path: "site/index.HTML", previewable: true });
    expect(toolCardView("edit_file", { path: "a.htm", old_string: "a", new_string: "b" }, true).previewable).toBe(true);
    expect(toolCardView("write_file", { path: "index.html", content: "<p>" }, false).previewable).toBe(false);
    expect(toolCardView("write_file", { path: "notes.md", content: "x" }, true)).toEqual({ writes: true, path: "notes.md", previewable: false });
  });

  it("a read names its path but never shows a diff or a preview", () => {
    expect(toolCardView("read_file", { path: "index.html" }, true)).toEqual({ writes: false, path: "index.html", previewable: false });
    expect(toolCardView("check_page", { path: "index.html" }, true)).toEqual({ writes: false, path: "index.html", previewable: false });
  });

  it("a tool without a path argument, or an MCP tool, shows only its arguments, even when one is called path", () => {
    expect(toolCardView("run_command", { command: "cat index.html", path: "index.html" }, true)).toEqual({ writes: false, path: undefined, previewable: false });
    expect(toolCardView("mcp__fs__write_file", { path: "index.html", content: "<p>" }, true)).toEqual({ writes: false, path: undefined, previewable: false });
  });
});
