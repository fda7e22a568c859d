import { describe, expect, it } from "vitest";
import type { ChangedFileNow, FileChange } from "../../../../app/contract/agent-api";
import type { ViewItem } from "../../chat/branch";
import { changedFiles, fileTree } from "./changed-files";
import { latestPlan } from "./plan";

const change = (checkpointId: string, path: string, before: string | null, after: string | null): FileChange => ({
  checkpointId, callId: `call-${checkpointId}`, tool: "write_file", path, before, after, omitted: null, at: 0,
});
const now = (path: string, text: string | null): ChangedFileNow => ({ path, text, omitted: null });

describe("changed files", () => {
  it("one entry per file, reverting to its first checkpoint, with its state now", () => {
    const changes = [change("cp1", "src/a.ts", "a0", "a1"), change("cp2", "new.md", null, "n"), change("cp3", "src/a.ts", "a1", "a2"), change("cp4", "src/lib/b.ts", "b0", "b1")];
    const files = changedFiles(changes, [now("src/a.ts", "a2"), now("new.md", "n"), now("src/lib/b.ts", "b0")]);
    expect(files.map((f) => [f.path, f.state, f.firstCheckpointId, f.changes])).toEqual([
      ["new.md", "created", "cp2", 1],
      ["src/a.ts", "modified", "cp1", 2],
      ["src/lib/b.ts", "reverted", "cp4", 1],
    ]);
    const tree = fileTree(files);
    expect(tree.files.map((f) => f.name)).toEqual(["new.md"]);
    expect(tree.folders[0]).toMatchObject({ name: "src", path: "src", files: [{ name: "a.ts" }], folders: [{ name: "lib", path: "src/lib", files: [{ name: "b.ts" }] }] });
  });

  it("a created file that is gone again is reverted; an existing one that is gone is deleted", () => {
    expect(changedFiles([change("cp1", "x", null, "1")], [now("x", null)])[0]?.state).toBe("reverted");
    expect(changedFiles([change("cp1", "y", "0", "1")], [now("y", null)])[0]?.state).toBe("deleted");
  });
});

describe("pinned plan", () => {
  const item = (toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>) =>
    ({ message: { toolCalls: toolCalls.map((c, i) => ({ id: `c${i}`, ...c })) }, siblings: [] }) as unknown as ViewItem;

  it("is the latest todo call's items; malformed entries are left out", () => {
    const items = [
      item([{ name: "todo", arguments: { items: [{ content: "old", status: "pending" }] } }]),
      item([{ name: "list_files", arguments: { path: "." } }]),
      item([{ name: "todo", arguments: { items: [{ content: "read", status: "completed" }, { content: "fix", status: "in_progress" }, { content: 3, status: "x" }] } }]),
    ];
    expect(latestPlan(items)).toEqual([
      { content: "read", status: "completed" },
      { content: "fix", status: "in_progress" },
    ]);
    expect(latestPlan([items[1]!])).toBeNull();
  });
});
