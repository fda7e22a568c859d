import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hideFromSandboxes } from "../sandbox/private-paths";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { runToolCall } from "./registry";

/**
 * The app's data dir may be placed inside a workspace (`--data-dir ./proj/.data`). The file tools run
 * on the host, so they must refuse it themselves: the sandbox hiding it (resource-attacks.test.ts)
 * does not cover them.
 */

let root: string;
let ws: string;
let ctx: ToolContext;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-private-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, ".data", "checkpoints"), { recursive: true });
  writeFileSync(join(ws, ".data", "m2d.sqlite"), "SQLite format 3\0hub-token-secret TODO");
  writeFileSync(join(ws, "notes.md"), "TODO ship\n");
  hideFromSandboxes(join(ws, ".data"));
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints") });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const call = (name: string, args: Record<string, unknown>) => runToolCall(ctx, { name, arguments: args }, { mode: "full_auto" }, async () => false);
const reason = (result: { ok: boolean; error?: { details?: unknown } }) => (result.error?.details as { reason?: unknown } | undefined)?.reason;

test("attack: read, write, list and search the app's data dir inside the workspace → refused, and never listed or searched", async () => {
  for (const path of [".data/m2d.sqlite", ".data", "./.data/../.data/m2d.sqlite"]) {
    expect(reason((await call("read_file", { path })).result), path).toBe("private_path");
  }
  expect(reason((await call("write_file", { path: ".data/m2d.sqlite", content: "pwned" })).result)).toBe("private_path");
  expect(reason((await call("list_files", { path: ".data" })).result)).toBe("private_path");
  expect(readFileSync(join(ws, ".data", "m2d.sqlite"), "utf8")).toContain("hub-token-secret");

  const listing = await call("list_files", { path: ".", depth: 3 });
  expect(listing.result.ok).toBe(true);
  expect(JSON.stringify(listing.result)).toContain("notes.md");
  expect(JSON.stringify(listing.result)).not.toContain(".data");
  const search = await call("search", { pattern: "TODO" });
  expect(JSON.stringify(search.result)).toContain("notes.md");
  expect(JSON.stringify(search.result)).not.toMatch(/hub-token-secret|m2d\.sqlite/);
});
