import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { runToolCall } from "./registry";
import { startFlipper } from "./testing/flipper";
import type { Flipper } from "./testing/flipper";

/**
 * attack: while another process flips a workspace folder between itself and a symlink to an outside
 * folder holding a secret, read_file, search and list_files run again and again → the secret's
 * contents and names never reach the model. A control read by path through a second flipping folder
 * shows the race is real.
 */

let root: string;
let ws: string;
let ctx: ToolContext;
let flipper: Flipper;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-read-race-"));
  ws = join(root, "ws");
  for (const dir of ["d/sub", "c/sub"]) mkdirSync(join(ws, dir), { recursive: true });
  for (const dir of ["outside/sub", "control/sub"]) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(ws, "d", "sub", "notes.txt"), "needle in the workspace\n");
  writeFileSync(join(root, "outside", "sub", "notes.txt"), "needle outside-secret-contents\n");
  writeFileSync(join(root, "outside", "sub", "outside-secret-name.txt"), "needle\n");
  writeFileSync(join(ws, "c", "sub", "notes.txt"), "workspace\n");
  writeFileSync(join(root, "control", "sub", "notes.txt"), "control-outside\n");
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox: { kind: "none", reason: "not needed here" } });
  flipper = startFlipper([[join(ws, "d"), join(root, "outside")], [join(ws, "c"), join(root, "control")]], 0.002);
});

afterAll(async () => {
  await flipper.stop();
  rmSync(root, { recursive: true, force: true });
});

const call = (name: string, args: Record<string, unknown>) => runToolCall(ctx, { name, arguments: args }, { mode: "full_auto" }, async () => false);

test("attack: read_file / search / list_files while a folder flips to a symlink out → never the outside secret", async () => {
  const seen: string[] = [];
  let controlLeaks = 0;
  let answered = 0;
  for (let i = 0; i < 150; i++) {
    for (const [name, args] of [
      ["read_file", { path: "d/sub/notes.txt" }],
      ["search", { pattern: "needle" }],
      ["list_files", { path: "d" }],
    ] as const) {
      const { result } = await call(name, args);
      if (result.ok) answered++;
      seen.push(JSON.stringify(result));
    }
    for (let k = 0; k < 20; k++) {
      try {
        if (readFileSync(join(ws, "c", "sub", "notes.txt"), "utf8").includes("control-outside")) controlLeaks++;
      } catch {
        // mid-flip
      }
    }
  }
  await flipper.stop();
  const all = seen.join("\n");
  expect(all).not.toContain("outside-secret-contents");
  expect(all).not.toContain("outside-secret-name");
  expect(controlLeaks).toBeGreaterThan(0); // a read by path did go outside: the race is real
  expect(answered).toBeGreaterThan(0);
  expect(readdirSync(join(root, "outside", "sub")).sort()).toEqual(["notes.txt", "outside-secret-name.txt"]);
}, 120_000);
