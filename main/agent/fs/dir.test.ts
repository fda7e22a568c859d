import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SafeDir, procFdUsable, safeFsReason, walkTree, writeFileAtomic } from ".";
import type { Resolution } from ".";

let root: string;
let ws: string;
let outside: string;

function reasonOf(body: () => unknown): string | null {
  try {
    body();
  } catch (error) {
    return safeFsReason(error);
  }
  throw new Error("expected a refusal");
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-fs-"));
  ws = join(root, "ws");
  outside = join(root, "outside");
  mkdirSync(join(ws, "a", "b"), { recursive: true });
  mkdirSync(join(outside, "deep"), { recursive: true });
  writeFileSync(join(outside, "victim.txt"), "original\n");
  writeFileSync(join(outside, "deep", "victim.txt"), "original\n");
  symlinkSync(outside, join(ws, "out"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const outsideIntact = () => {
  expect(readdirSync(outside).sort()).toEqual(["deep", "victim.txt"]);
  expect(readFileSync(join(outside, "victim.txt"), "utf8")).toBe("original\n");
  expect(readdirSync(join(outside, "deep"))).toEqual(["victim.txt"]);
};

test("this Linux resolves /proc/self/fd, so the openat-style path is the one in use", () => {
  expect(procFdUsable()).toBe(process.platform === "linux");
});

const resolutions: Resolution[] = procFdUsable() ? ["proc-fd", "lstat-check"] : ["lstat-check"];

describe.each(resolutions)("SafeDir (%s)", (resolution) => {
  const open = () => SafeDir.openRoot(ws, resolution);

  test("attack: a symlinked folder on the way → symlink_escape, never entered", () => {
    const dir = open();
    try {
      expect(reasonOf(() => dir.openDir("out"))).toBe("symlink_escape");
      expect(reasonOf(() => dir.openPath(["out", "deep"]))).toBe("symlink_escape");
      expect(reasonOf(() => dir.openPath(["out", "new"], { create: true }))).toBe("symlink_escape");
      expect(reasonOf(() => writeFileAtomic(dir, "out/planted.txt", "pwned"))).toBe("symlink_escape");
      expect(reasonOf(() => dir.readFile("out", 1024))).toBe("symlink_escape");
    } finally {
      dir.close();
    }
    outsideIntact();
  });

  test("attack: names that climb (.., /, empty) → bad_name", () => {
    const dir = open();
    try {
      for (const name of ["..", ".", "", "a/b", "x\0y"]) expect(reasonOf(() => dir.lstat(name)), name).toBe("bad_name");
      expect(reasonOf(() => writeFileAtomic(dir, "../outside/victim.txt", "pwned"))).toBe("bad_name");
    } finally {
      dir.close();
    }
    outsideIntact();
  });

  test("attack: rm -r of a tree holding symlinks out (and being one) → links unlinked, targets untouched", () => {
    mkdirSync(join(ws, "tree", "sub"), { recursive: true });
    symlinkSync(outside, join(ws, "tree", "sub", "link-dir"));
    symlinkSync(join(outside, "victim.txt"), join(ws, "tree", "link-file"));
    writeFileSync(join(ws, "tree", "sub", "own.txt"), "x");
    const dir = open();
    try {
      dir.removeTree("tree");
      dir.removeTree("out");
      dir.removeTree("missing");
    } finally {
      dir.close();
    }
    expect(existsSync(join(ws, "tree"))).toBe(false);
    expect(existsSync(join(ws, "out"))).toBe(false);
    outsideIntact();
  });

  test("rm -r refuses past its entry budget (too_many_entries)", () => {
    for (let i = 0; i < 20; i++) writeFileSync(join(ws, "a", `f${i}`), "x");
    const dir = open();
    try {
      expect(reasonOf(() => dir.removeTree("a", { entries: 5 }))).toBe("too_many_entries");
    } finally {
      dir.close();
    }
  });

  test("mkdir -p, create-exclusive write, rename in place; a symlink at the final name is replaced, not followed", () => {
    symlinkSync(join(outside, "victim.txt"), join(ws, "a", "target.txt"));
    const dir = open();
    try {
      const stats = writeFileAtomic(dir, "new/deeper/file.txt", "hello", 0o640);
      expect(stats.isFile()).toBe(true);
      expect(stats.mode & 0o777).toBe(0o640);
      writeFileAtomic(dir, "a/target.txt", "replaced");
      expect(reasonOf(() => dir.createExclusive("new"))).toBe("already_exists");
      const sub = dir.openPath(["new", "deeper"]);
      try {
        sub.rename("file.txt", "renamed.txt");
        expect(sub.lstat("file.txt")).toBeNull();
        expect(sub.entries().map((e) => e.name)).toEqual(["renamed.txt"]);
      } finally {
        sub.close();
      }
    } finally {
      dir.close();
    }
    expect(readFileSync(join(ws, "new", "deeper", "renamed.txt"), "utf8")).toBe("hello");
    expect(readFileSync(join(ws, "a", "target.txt"), "utf8")).toBe("replaced");
    outsideIntact();
  });

  test("a fifo is refused at once (O_NONBLOCK), not waited on", async () => {
    execFileSync("mkfifo", [join(ws, "fifo")]);
    const dir = open();
    try {
      expect(reasonOf(() => dir.readFile("fifo", 10))).toBe("not_regular_file");
      await expect(dir.openFile("fifo")).rejects.toMatchObject({ details: { reason: "not_regular_file" } });
    } finally {
      dir.close();
    }
  });

  test("attack: the held folder is moved and a symlink out put in its place → the call acts on the real folder or fails", () => {
    const dir = open();
    const a = dir.openDir("a");
    try {
      renameSync(join(ws, "a"), join(ws, "a-moved"));
      symlinkSync(outside, join(ws, "a"));
      if (resolution === "proc-fd") {
        // The descriptor is the folder itself: the write lands in a-moved, wherever its path went.
        writeFileAtomic(a, "x.txt", "inside");
        expect(readFileSync(join(ws, "a-moved", "x.txt"), "utf8")).toBe("inside");
      } else {
        expect(reasonOf(() => writeFileAtomic(a, "x.txt", "inside"))).toBe("changed_during_check");
      }
    } finally {
      a.close();
      dir.close();
    }
    outsideIntact();
  });

  test("walkTree lists every folder with typed entries, never entering a symlink, and caps the count", async () => {
    mkdirSync(join(ws, "c", "d", "e"), { recursive: true });
    const dir = open();
    try {
      const seen: string[] = [];
      const count = await walkTree(dir, ({ relative }) => seen.push(relative), { maxDirectories: 100 });
      expect(seen.sort()).toEqual(["", "a", "a/b", "c", "c/d", "c/d/e"]);
      expect(count).toBe(6);
      await expect(walkTree(dir, () => undefined, { maxDirectories: 3 })).rejects.toMatchObject({ details: { reason: "too_many_entries" } });
      await expect(walkTree(dir, () => undefined, { maxDirectories: 100, maxDepth: 3 })).rejects.toMatchObject({ details: { reason: "too_many_entries", path: "c/d/e" } });
    } finally {
      dir.close();
    }
    expect(statSync(join(outside, "deep")).isDirectory()).toBe(true);
  });
});
