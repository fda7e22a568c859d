import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AppError } from "../../../app/contract/errors";
import { revertCheckpoint } from "./checkpoint";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { editFileTool } from "./edit-file";
import { listFiles } from "./list-files";
import { readFileTool } from "./read-file";
import { searchTool } from "./search";
import { writeFileTool } from "./write-file";

let root: string;
let ws: string;
let ctx: ToolContext;
const checkpoints = () => join(root, "checkpoints");

async function refusal(promise: Promise<unknown>): Promise<{ reason: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const details = (error as AppError).details as Record<string, unknown>;
    return { reason: String(details["reason"]), message: (error as AppError).message, details };
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-tools-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, "src", "lib"), { recursive: true });
  mkdirSync(join(ws, "node_modules", "dep"), { recursive: true });
  mkdirSync(join(ws, ".git", "objects"), { recursive: true });
  writeFileSync(join(ws, ".gitignore"), "node_modules/\n*.log\n");
  writeFileSync(join(ws, "src", "index.ts"), "import { x } from './lib/x';\nconsole.log(x);\n");
  writeFileSync(join(ws, "src", "lib", "x.ts"), "export const x = 42; // TODO tidy\n");
  writeFileSync(join(ws, "src", "lib", ".gitignore"), "generated.ts\n");
  writeFileSync(join(ws, "src", "lib", "generated.ts"), "export const TODO = 1;\n");
  writeFileSync(join(ws, "node_modules", "dep", "index.js"), "// TODO in a dependency\n");
  writeFileSync(join(ws, ".git", "HEAD"), "ref: refs/heads/main TODO\n");
  writeFileSync(join(ws, "debug.log"), "TODO in a log\n");
  writeFileSync(join(ws, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  symlinkSync(join(root), join(ws, "up-link"));
  ctx = await createToolContext({ workspace: ws, checkpointDir: checkpoints(), sandbox: { kind: "none", reason: "not needed here" } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("list_files", () => {
  test("shows the tree to the requested depth, without .git, ignored files or symlinks", async () => {
    const out = await listFiles(ctx, { path: ".", depth: 3 });
    expect(out.content).toBe(
      [
        "./ (depth 3; .gitignore'd files and .git not shown)",
        ".gitignore (20 B)",
        "image.png (8 B)",
        "src/",
        "  index.ts (45 B)",
        "  lib/",
        "    .gitignore (13 B)",
        "    x.ts (34 B)",
      ].join("\n"),
    );
    const shallow = await listFiles(ctx, { path: "src", depth: 1 });
    expect(shallow.content.split("\n").slice(1)).toEqual(["index.ts (45 B)", "lib/"]);
  });

  test("a huge folder is cut with a marker that says what to do", async () => {
    const many = join(ws, "many");
    mkdirSync(many);
    for (let i = 0; i < 1010; i++) writeFileSync(join(many, `f${String(i).padStart(4, "0")}.txt`), "");
    try {
      const out = await listFiles(ctx, { path: "many" });
      expect(out.content.split("\n")).toHaveLength(1 + 1000 + 1);
      expect(out.content.endsWith("[… 10 more entries not shown; call list_files on a subfolder]")).toBe(true);
    } finally {
      rmSync(many, { recursive: true });
    }
  });
});

describe("read_file", () => {
  test("returns the whole file, or a numbered range", async () => {
    expect((await readFileTool(ctx, { path: "src/index.ts" })).content).toBe("import { x } from './lib/x';\nconsole.log(x);");
    const range = await readFileTool(ctx, { path: "src/index.ts", start_line: 2, end_line: 2 });
    expect(range.content).toBe("(src/index.ts: lines 2–2 of 2)\nconsole.log(x);");
  });

  test("a long file is cut at a line with a marker naming the next start_line", async () => {
    const line = `${"x".repeat(99)}\n`;
    writeFileSync(join(ws, "big.txt"), line.repeat(2000));
    const out = await readFileTool(ctx, { path: "big.txt" });
    const marker = /\[… truncated (\d+) bytes; call read_file with start_line=(\d+) to see more\]$/.exec(out.content);
    expect(marker).not.toBeNull();
    const next = Number(marker?.[2]);
    expect(Number(marker?.[1])).toBe((2000 - next + 1) * 100);
    const rest = await readFileTool(ctx, { path: "big.txt", start_line: next });
    expect(rest.content.startsWith(`(big.txt: lines ${next}–`)).toBe(true);
    rmSync(join(ws, "big.txt"));
  });

  test("binary, oversized and out-of-range reads are refused with a reason", async () => {
    expect((await refusal(readFileTool(ctx, { path: "image.png" }))).reason).toBe("binary_file");
    const huge = join(ws, "huge.bin");
    writeFileSync(huge, "");
    truncateSync(huge, 21 * 1024 * 1024);
    expect((await refusal(readFileTool(ctx, { path: "huge.bin" }))).reason).toBe("file_too_large");
    rmSync(huge);
    expect((await refusal(readFileTool(ctx, { path: "src/index.ts", start_line: 9 }))).message).toContain("has 2 lines");
  });
});

describe("write_file, edit_file and checkpoints", () => {
  test("write creates, checkpoints, and revert deletes what it created", async () => {
    const out = await writeFileTool(ctx, { path: "src/new.ts", content: "export {};\n" });
    expect(out.content).toBe("Wrote 11 bytes to src/new.ts (created).");
    expect(readFileSync(join(ws, "src", "new.ts"), "utf8")).toBe("export {};\n");
    const reverted = await revertCheckpoint({ workspace: ws, checkpointDir: checkpoints(), checkpointId: out.checkpointId ?? "" });
    expect(reverted).toEqual({ restored: [], removed: ["src/new.ts"] });
    expect(existsSync(join(ws, "src", "new.ts"))).toBe(false);
  });

  test("edit replaces one exact occurrence; revert restores the old text", async () => {
    const out = await editFileTool(ctx, { path: "src/lib/x.ts", old_string: "42", new_string: "$& and $1" });
    expect(out.content).toBe("Edited src/lib/x.ts: replaced 1 occurrence at line 1.");
    expect(readFileSync(join(ws, "src", "lib", "x.ts"), "utf8")).toBe("export const x = $& and $1; // TODO tidy\n");
    await revertCheckpoint({ workspace: ws, checkpointDir: checkpoints(), checkpointId: out.checkpointId ?? "" });
    expect(readFileSync(join(ws, "src", "lib", "x.ts"), "utf8")).toBe("export const x = 42; // TODO tidy\n");
  });

  test("an ambiguous or missing old_string is refused, with the count", async () => {
    writeFileSync(join(ws, "dup.txt"), "a\nb\na\nb\na\n");
    const ambiguous = await refusal(editFileTool(ctx, { path: "dup.txt", old_string: "a", new_string: "z" }));
    expect(ambiguous.reason).toBe("edit_ambiguous");
    expect(ambiguous.details["count"]).toBe(3);
    expect(ambiguous.message).toContain("occurs 3 times");
    expect((await refusal(editFileTool(ctx, { path: "dup.txt", old_string: "q", new_string: "z" }))).reason).toBe("edit_no_match");
    expect((await refusal(editFileTool(ctx, { path: "absent.txt", old_string: "q", new_string: "z" }))).reason).toBe("not_found");
    expect(readFileSync(join(ws, "dup.txt"), "utf8")).toBe("a\nb\na\nb\na\n");
  });

  test("the checkpoint folder may not sit where a sandboxed command could rewrite it", async () => {
    const inside = await refusal(createToolContext({ workspace: ws, checkpointDir: join(ws, "cp"), sandbox: ctx.sandbox }));
    expect(inside.reason).toBe("checkpoint_dir_inside_workspace");
    const m2d = await createToolContext({ workspace: ws, checkpointDir: join(ws, ".m2d", "checkpoints"), sandbox: ctx.sandbox });
    expect(m2d.checkpointDir).toBe(join(ws, ".m2d", "checkpoints"));
    expect((await refusal(revertCheckpoint({ workspace: ws, checkpointDir: checkpoints(), checkpointId: "../../etc" }))).reason).toBe("bad_checkpoint_id");
  });
});

describe("search", () => {
  test("finds regex matches, honouring .gitignore at every level and skipping .git and binaries", async () => {
    const out = await searchTool(ctx, { pattern: "TODO|console\\.log" });
    expect(out.content).toBe(["src/index.ts:2: console.log(x);", "src/lib/x.ts:1: export const x = 42; // TODO tidy"].join("\n"));
    expect((await searchTool(ctx, { pattern: "TODO", path: "src/lib/x.ts" })).content).toBe("src/lib/x.ts:1: export const x = 42; // TODO tidy");
    expect((await searchTool(ctx, { pattern: "nothing-like-this" })).content).toBe("No matches.");
  });

  test("invalid and catastrophic patterns fail cleanly; the backend never freezes", async () => {
    expect((await refusal(searchTool(ctx, { pattern: "(" }))).reason).toBe("bad_pattern");
    writeFileSync(join(ws, "redos.txt"), `${"a".repeat(40)}b\n`);
    const started = Date.now();
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(Date.now()), 50);
    const out = await searchTool(ctx, { pattern: "^(a+)+$" }, 1000);
    clearInterval(timer);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ticks.length).toBeGreaterThan(5); // the event loop kept running
    expect(out.content).toContain("search stopped after 1 s");
    rmSync(join(ws, "redos.txt"));
  });
});
