import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseIsolation, createIsolatedCopy, removeIsolatedCopy } from "./isolation";
import { formatTreeDiff, treeChanges } from "./tree-diff";

// Real git, real folders: how an attempt's copy is made, refused and diffed.

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "m2d-isolation-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).toString();

function repo(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "a.txt"), "one\ntwo\nthree\n");
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

describe("attempt isolation", () => {
  it("a folder that is not a git repository gets a copy: links copied as links (never followed), .git left out", async () => {
    const dir = join(scratch, "plain");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "sub", "f.txt"), "hello\n");
    writeFileSync(join(scratch, "outside.txt"), "secret\n");
    symlinkSync(join(scratch, "outside.txt"), join(dir, "escape"));
    expect(await chooseIsolation(dir, undefined)).toBe("copy");
    await expect(chooseIsolation(dir, "worktree")).rejects.toMatchObject({ details: { reason: "not_git_repository" } });

    const copy = join(scratch, "plain-copy");
    await createIsolatedCopy(dir, copy, "copy");
    expect(readFileSync(join(copy, "sub", "f.txt"), "utf8")).toBe("hello\n");
    expect(lstatSync(join(copy, "escape")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(copy, "escape"))).toBe(join(scratch, "outside.txt"));
    // The link's target changing is a change of the link, compared by readlink: the outside file is never read.
    writeFileSync(join(scratch, "outside.txt"), "changed\n");
    expect(await treeChanges(dir, copy)).toEqual([]);
  });

  it("a clean git root gets a detached worktree at HEAD, which remove unregisters", async () => {
    const root = repo("clean");
    expect(await chooseIsolation(root, undefined)).toBe("worktree");
    const wt = join(scratch, "clean-wt");
    await createIsolatedCopy(root, wt, "worktree");
    expect(readFileSync(join(wt, "src", "a.txt"), "utf8")).toBe("one\ntwo\nthree\n");
    expect(git(root, "worktree", "list")).toContain(wt);
    await removeIsolatedCopy(root, wt, "worktree");
    expect(existsSync(wt)).toBe(false);
    expect(git(root, "worktree", "list")).not.toContain(wt);
  });

  it("a dirty tree is refused with the offer of a copy; asked for a copy, it copies the uncommitted changes too", async () => {
    const root = repo("dirty");
    writeFileSync(join(root, "src", "a.txt"), "edited\n");
    writeFileSync(join(root, "new.txt"), "untracked\n");
    const refused = chooseIsolation(root, undefined);
    await expect(refused).rejects.toMatchObject({ code: "bad_request", details: { reason: "dirty_tree", offer: "copy" } });
    await expect(refused).rejects.toThrow(/2 uncommitted changes.*isolation "copy"/);
    expect(await chooseIsolation(root, "copy")).toBe("copy");
    const copy = join(scratch, "dirty-copy");
    await createIsolatedCopy(root, copy, "copy");
    expect(readFileSync(join(copy, "src", "a.txt"), "utf8")).toBe("edited\n");
    expect(existsSync(join(copy, ".git"))).toBe(false);
  });

  it("a repository whose config could run code on the host (core.fsmonitor) gets no worktree", async () => {
    const root = repo("hostile");
    const marker = join(scratch, "fsmonitor-ran");
    git(root, "config", "core.fsmonitor", `touch ${marker}; false`);
    await expect(chooseIsolation(root, undefined)).rejects.toMatchObject({ details: { reason: "unsafe_git_config", keys: ["core.fsmonitor"] } });
    expect(existsSync(marker)).toBe(false);
  });

  it("a copy that cannot be made says why (isolation_failed), leaving nothing behind", async () => {
    const root = repo("exists");
    const target = join(scratch, "exists-target");
    mkdirSync(target);
    await expect(createIsolatedCopy(root, target, "copy")).rejects.toMatchObject({ details: { reason: "isolation_failed" } });
  });

  it("the diff against the base: modified, added and deleted files as git-style unified hunks", async () => {
    const base = join(scratch, "diff-base");
    const after = join(scratch, "diff-after");
    for (const dir of [base, after]) mkdirSync(dir);
    writeFileSync(join(base, "keep.txt"), "same\n");
    writeFileSync(join(after, "keep.txt"), "same\n");
    writeFileSync(join(base, "mod.txt"), "a\nb\nc\n");
    writeFileSync(join(after, "mod.txt"), "a\nB\nc\n");
    writeFileSync(join(base, "gone.txt"), "bye\n");
    mkdirSync(join(after, "new"));
    writeFileSync(join(after, "new", "f.txt"), "hi\n");
    const changes = await treeChanges(base, after);
    expect(changes.map((c) => c.path)).toEqual(["gone.txt", "mod.txt", "new/f.txt"]);
    expect(formatTreeDiff(changes)).toBe(
      [
        "diff --git a/gone.txt b/gone.txt", "deleted file mode 100644", "--- a/gone.txt", "+++ /dev/null", "@@ -1,1 +0,0 @@", "-bye",
        "diff --git a/mod.txt b/mod.txt", "--- a/mod.txt", "+++ b/mod.txt", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c",
        "diff --git a/new/f.txt b/new/f.txt", "new file mode 100644", "--- /dev/null", "+++ b/new/f.txt", "@@ -0,0 +1,1 @@", "+hi",
        "",
      ].join("\n"),
    );
  });
});
