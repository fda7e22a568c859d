import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SafeDir } from "../fs";
import { enforceProtected, planProtected } from "./protected";
import { scanProtected } from "./protected-scan";

let root: string;
let ws: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-scan-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, ".git", "hooks"), { recursive: true });
  writeFileSync(join(ws, ".git", "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(ws, ".git", "config"), "[core]\n");
  writeFileSync(join(ws, ".git", "hooks", "pre-commit.sample"), "#!/bin/sh\n");
  mkdirSync(join(ws, ".git", "worktrees", "wt"), { recursive: true });
  writeFileSync(join(ws, ".git", "worktrees", "wt", "commondir"), "../..\n");
  mkdirSync(join(ws, "sub", "bare"), { recursive: true });
  writeFileSync(join(ws, "sub", "bare", "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(ws, "sub", "bare", "config"), "[core]\n");
  writeFileSync(join(ws, "sub", ".git"), "gitdir: bare\n");
  mkdirSync(join(ws, "components", "HEAD"), { recursive: true }); // a folder named HEAD makes no git dir
  writeFileSync(join(ws, "components", "config"), "not git\n");
  writeFileSync(join(ws, "sub", ".envrc"), "export A=1\n");
  writeFileSync(join(ws, ".bashrc"), "# rc\n");
  symlinkSync(join(root, "elsewhere"), join(ws, "link"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test("finds every git dir and its code-running files, rc files at their depths, and nothing else", async () => {
  const dir = SafeDir.openRoot(ws);
  try {
    const inventory = await scanProtected(dir);
    expect([...inventory.gitDirs].sort()).toEqual([".git", ".git/worktrees/wt", "sub/bare"]);
    expect(inventory.entries.map((e) => `${e.kind} ${e.relative}`).sort()).toEqual([
      "git-commondir .git/worktrees/wt/commondir",
      "git-config .git/config",
      "git-config sub/bare/config",
      "git-hook .git/hooks/pre-commit.sample",
      "git-hooks .git/hooks",
      "gitfile sub/.git",
      "rc-file .bashrc",
      "rc-file sub/.envrc",
    ]);
  } finally {
    dir.close();
  }
});

test("an unchanged workspace yields no violations; read-only mounts are the protected paths themselves", async () => {
  const plan = await planProtected(ws);
  expect(plan.readOnly).toContain(join(ws, ".git", "config"));
  expect(plan.readOnly).toContain(join(ws, ".git", "hooks"));
  expect(plan.readOnly).toContain(join(ws, "sub", ".git"));
  expect(plan.readOnly).not.toContain(join(ws, ".git", "hooks", "pre-commit.sample"));
  expect(await enforceProtected(ws, plan.snapshot)).toEqual([]);
});

test("performance: before + after walks of a 20,000-folder tree", async () => {
  const big = join(root, "big");
  for (let a = 0; a < 20; a++) for (let b = 0; b < 20; b++) for (let c = 0; c < 50; c++) mkdirSync(join(big, `a${a}`, `b${b}`, `c${c}`), { recursive: true });
  for (let i = 0; i < 20; i++) {
    mkdirSync(join(big, `a${i}`, ".git", "hooks"), { recursive: true });
    writeFileSync(join(big, `a${i}`, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(big, `a${i}`, ".git", "config"), "[core]\n");
  }
  const started = performance.now();
  const plan = await planProtected(big);
  const planned = performance.now();
  expect(await enforceProtected(big, plan.snapshot)).toEqual([]);
  const done = performance.now();
  console.log(`protected walk of ${20 * 20 * 50 + 20 * 2 + 420} folders: plan ${Math.round(planned - started)} ms, enforce ${Math.round(done - planned)} ms`);
  expect(plan.readOnly.length).toBe(40);
  expect(done - started).toBeLessThan(20_000); // generous: a shared CI box; ~0.3 s each on a quiet one
}, 60_000);
