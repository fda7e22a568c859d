import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../app/contract/errors";
import { createToolContext, type ToolContext } from "../agent/tools/context";
import { editFileTool } from "../agent/tools/edit-file";
import { writeFileTool } from "../agent/tools/write-file";
import { ARTIFACT_CAP_BYTES, CHANGE_TEXT_CAP_BYTES, listFileChanges, readArtifact, type CheckpointedCall } from "./agent-changes";

// Real files, real checkpoints written by the real write_file/edit_file tools.

let root: string;
let ws: string;
let ctx: ToolContext;
const checkpointDir = () => join(root, "checkpoints");

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-changes-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "a.txt"), "one\ntwo\n");
  ctx = await createToolContext({ workspace: ws, checkpointDir: checkpointDir(), sandbox: { kind: "none", reason: "file tools only" } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function edit(id: string, args: { path: string; old_string: string; new_string: string }): Promise<CheckpointedCall> {
  const output = await editFileTool(ctx, args);
  return { checkpointId: output.checkpointId!, callId: id, tool: "edit_file", arguments: args, at: Date.now() };
}

async function write(id: string, args: { path: string; content: string }): Promise<CheckpointedCall> {
  const output = await writeFileTool(ctx, args);
  return { checkpointId: output.checkpointId!, callId: id, tool: "write_file", arguments: args, at: Date.now() };
}

describe("file changes from checkpoints", () => {
  it("each change shows the text before it (checkpoint) and what the call wrote, and each file as it is now", async () => {
    const calls = [
      await edit("c1", { path: "a.txt", old_string: "two", new_string: "TWO" }),
      await write("c2", { path: "page.html", content: "<p>hi</p>" }),
      await edit("c3", { path: "a.txt", old_string: "one", new_string: "ONE" }),
    ];
    writeFileSync(join(ws, "a.txt"), "changed by hand\n");
    const { changes, files } = await listFileChanges({ workspace: ws, checkpointDir: checkpointDir(), calls });
    expect(changes.map((c) => [c.callId, c.path, c.before, c.after, c.omitted])).toEqual([
      ["c1", "a.txt", "one\ntwo\n", "one\nTWO\n", null],
      ["c2", "page.html", null, "<p>hi</p>", null],
      ["c3", "a.txt", "one\nTWO\n", "ONE\nTWO\n", null],
    ]);
    expect(files).toEqual([
      { path: "a.txt", text: "changed by hand\n", omitted: null },
      { path: "page.html", text: "<p>hi</p>", omitted: null },
    ]);
  });

  it("a call whose written text is unknown shows the next change's before, or the file now", async () => {
    const first = await write("w1", { path: "b.txt", content: "first\n" });
    const second = await write("w2", { path: "b.txt", content: "second\n" });
    const opaque = (c: CheckpointedCall): CheckpointedCall => ({ ...c, tool: "mcp_tool", arguments: {} });
    const { changes } = await listFileChanges({ workspace: ws, checkpointDir: checkpointDir(), calls: [opaque(first), opaque(second)] });
    expect(changes.map((c) => [c.before, c.after])).toEqual([
      [null, "first\n"],
      ["first\n", "second\n"],
    ]);
  });

  it("leaves out texts over the cap, and skips a checkpoint that no longer exists", async () => {
    const big = await write("big", { path: "big.txt", content: "x".repeat(CHANGE_TEXT_CAP_BYTES + 1) });
    const gone: CheckpointedCall = { checkpointId: "cp-1700000000000-deadbeef", callId: "gone", tool: "write_file", arguments: {}, at: 0 };
    const { changes, files } = await listFileChanges({ workspace: ws, checkpointDir: checkpointDir(), calls: [gone, big] });
    expect(changes).toMatchObject([{ callId: "big", path: "big.txt", before: null, after: null, omitted: "too_large" }]);
    expect(files).toEqual([{ path: "big.txt", text: null, omitted: "too_large" }]);
  });
});

describe("artifact preview source", () => {
  it("reads an .html file inside the workspace", async () => {
    writeFileSync(join(ws, "index.html"), "<h1>Game</h1>");
    expect(await readArtifact(ws, "index.html")).toEqual({ path: "index.html", html: "<h1>Game</h1>" });
  });

  it.each([
    ["a file outside through ../", "../outside.html", "outside_workspace"],
    ["an absolute path", "/etc/hostname.html", "outside_workspace"],
    ["a symlink out", "link.html", "symlink_escape"],
    ["a hardlinked file", "hard.html", "hardlinked_file"],
    ["something that is not HTML", "a.txt", "not_html"],
    ["a file over the cap", "huge.html", "file_too_large"],
  ])("refuses %s", async (_, path, reason) => {
    writeFileSync(join(root, "outside.html"), "<p>secret</p>");
    symlinkSync(join(root, "outside.html"), join(ws, "link.html"));
    writeFileSync(join(root, "hard-target.html"), "<p>x</p>");
    linkSync(join(root, "hard-target.html"), join(ws, "hard.html"));
    writeFileSync(join(ws, "huge.html"), "y".repeat(ARTIFACT_CAP_BYTES + 1));
    try {
      const error = await readArtifact(ws, path).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toMatchObject({ reason });
    } finally {
      for (const name of ["link.html", "hard.html", "huge.html"]) rmSync(join(ws, name), { force: true });
    }
  });
});
