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

async function call(id: string, run: Promise<{ checkpointId?: string }>, tool: string): Promise<CheckpointedCall> {
  const output = await run;
  return { checkpointId: output.checkpointId!, callId: id, tool, at: Date.now() };
}

describe("file changes from checkpoints", () => {
  it("chains before/after per file: a change's after is the next change's before, the last one's is the file now", async () => {
    const calls = [
      await call("c1", editFileTool(ctx, { path: "a.txt", old_string: "two", new_string: "TWO" }), "edit_file"),
      await call("c2", writeFileTool(ctx, { path: "page.html", content: "<p>hi</p>" }), "write_file"),
      await call("c3", editFileTool(ctx, { path: "a.txt", old_string: "one", new_string: "ONE" }), "edit_file"),
    ];
    const changes = await listFileChanges({ workspace: ws, checkpointDir: checkpointDir(), calls });
    expect(changes.map((c) => [c.callId, c.path, c.before, c.after, c.omitted])).toEqual([
      ["c1", "a.txt", "one\ntwo\n", "one\nTWO\n", null],
      ["c2", "page.html", null, "<p>hi</p>", null],
      ["c3", "a.txt", "one\nTWO\n", "ONE\nTWO\n", null],
    ]);
  });

  it("leaves out texts over the cap, and skips a checkpoint that no longer exists", async () => {
    const big = await call("big", writeFileTool(ctx, { path: "big.txt", content: "x".repeat(CHANGE_TEXT_CAP_BYTES + 1) }), "write_file");
    const gone: CheckpointedCall = { checkpointId: "cp-1700000000000-deadbeef", callId: "gone", tool: "write_file", at: 0 };
    const changes = await listFileChanges({ workspace: ws, checkpointDir: checkpointDir(), calls: [gone, big] });
    expect(changes).toMatchObject([{ callId: "big", path: "big.txt", before: null, after: null, omitted: "too_large" }]);
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
