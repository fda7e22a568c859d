import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { revertCheckpoint } from "./checkpoint";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { editFileTool } from "./edit-file";
import { startFlipper } from "./testing/flipper";
import type { Flipper } from "./testing/flipper";
import { writeFileTool } from "./write-file";

/**
 * attack: another process (a workspace MCP server, a second conversation) flips a folder the file
 * tools write into between a real directory and a symlink to outside, in a tight loop, while
 * write_file, edit_file and checkpoint revert run hundreds of times → nothing ever lands outside.
 * A control write by path through the same kind of flipping folder shows the race is real.
 */

let root: string;
let ws: string;
let outside: string;
let control: string;
let ctx: ToolContext;
let flipper: Flipper;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-race-"));
  ws = join(root, "ws");
  outside = join(root, "outside");
  control = join(root, "control");
  for (const dir of [join(ws, "d", "sub"), join(ws, "c", "sub"), join(outside, "sub"), join(control, "sub")]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(ws, "d", "sub", "edit.txt"), "version 0\n");
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox: { kind: "none", reason: "not needed here" } });
  flipper = startFlipper([[join(ws, "d"), outside], [join(ws, "c"), control]]);
});

afterAll(async () => {
  await flipper.stop();
  rmSync(root, { recursive: true, force: true });
});

const listOutside = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

test("attack: write_file / edit_file / revert while a folder flips to a symlink out → nothing appears outside", async () => {
  let written = 0;
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    for (const path of [`d/sub/file-${i}.txt`, `d/new-${i}/deeper/file.txt`]) {
      try {
        await writeFileTool(ctx, { path, content: `content ${i}\n` });
        written++;
      } catch {
        refused++;
      }
    }
    try {
      const edit = await editFileTool(ctx, { path: "d/sub/edit.txt", old_string: "version", new_string: "version" });
      if (i % 2 === 0 && edit.checkpointId) await revertCheckpoint({ workspace: ws, checkpointDir: join(root, "checkpoints"), checkpointId: edit.checkpointId });
    } catch {
      refused++;
    }
    // The control: a plain write by path through the other flipping folder.
    try {
      writeFileSync(join(ws, "c", "sub", `control-${i}.txt`), "by path\n");
    } catch {
      // the folder was mid-flip
    }
  }
  const controlLanded = readdirSync(join(control, "sub")).length;
  await flipper.stop();

  expect(listOutside(outside)).toEqual(["sub"]);
  // The race was real: writes by path went outside, and both outcomes of the tools happened.
  expect(controlLanded).toBeGreaterThan(0);
  expect(written).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
  // What was written landed in the real folder (wherever its path stood when the flipper stopped).
  const real = existsSync(join(ws, "d.real")) ? join(ws, "d.real") : join(ws, "d");
  expect(readdirSync(join(real, "sub")).filter((name) => name.startsWith("file-")).length).toBeGreaterThan(0);
}, 120_000);
