import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseGitConfig, unsafeGitConfigKeys } from "./git-config";

const hasGit = spawnSync("git", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "m2d-gitconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GIT_INIT = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n";
const CLONE = `${GIT_INIT}[remote "origin"]\n\turl = https://github.com/o/r.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n\tmerge = refs/heads/main\n`;

/** Configs written the way an attacker would: each must come out unsafe, whatever the spelling. */
const ATTACKS: [string, string][] = [
  ["fsmonitor", "[core]\n\tfsmonitor = touch /tmp/pwned\n"],
  ["same line as the header", "[core] fsmonitor=evil"],
  ["upper case", "[CORE]\n\tFSMonitor = evil\n"],
  ["deprecated dotted section", "[alias.x]\n\ty = !evil\n"],
  ["continued line", "[core]\n\tpager = le\\\nss; evil\n"],
  ["pager", "[core]\n\tpager = evil\n"],
  ["hooksPath", "[core]\n\thooksPath = /tmp\n"],
  ["sshCommand", "[core]\n\tsshCommand = evil\n"],
  ["editor", "[core]\n\teditor = evil\n"],
  ["askPass", "[core]\n\taskPass = evil\n"],
  ["filter", '[filter "lfs"]\n\tclean = evil\n\tsmudge = evil\n\tprocess = evil\n'],
  ["textconv", '[diff "x"]\n\ttextconv = evil\n'],
  ["alias shelling out", "[alias]\n\tst = !evil\n"],
  ["include", "[include]\n\tpath = other\n"],
  ["includeIf", '[includeIf "gitdir:/"]\n\tpath = other\n'],
  ["credential helper", "[credential]\n\thelper = !evil\n"],
  ["gpg program", "[gpg]\n\tprogram = evil\n"],
  ["ext:: remote", '[remote "o"]\n\turl = ext::sh -c evil\n'],
  ["quoted ext:: remote", '[remote "o"]\n\turl = "ext::sh -c evil"\n'],
  ["uploadpack", '[remote "o"]\n\turl = x\n\tuploadpack = evil\n'],
  ["submodule update command", '[submodule "s"]\n\tupdate = !evil\n'],
  ["worktree redirect", "[core]\n\tworktree = /etc\n"],
  ["NUL byte", "[core]\n\tbare = false\0\n\tfsmonitor = evil\n"],
  ["unterminated quote", '[core]\n\tbare = "false\n\tfsmonitor = evil\n'],
  ["key before any section", "fsmonitor = evil\n"],
];

describe("git config check", () => {
  test.each([
    ["git init", GIT_INIT],
    ["git clone", CLONE],
    ["comments, quotes, empty lines, extensions", `# c\n; c\n\n${GIT_INIT}\t# x\n[extensions]\n\tobjectformat = sha256\n\tworktreeConfig = true\n[user]\n\tname = "A # B" ; c\n`],
  ])("%s → kept", (_name, text) => {
    expect(unsafeGitConfigKeys(text)).toEqual([]);
  });

  test.each(ATTACKS)("attack: %s → unsafe", (_name, text) => {
    expect(unsafeGitConfigKeys(text).length).toBeGreaterThan(0);
  });

  test.skipIf(!hasGit)("reads every config the way the real git does (differential, git config --list)", () => {
    for (const [name, text] of [...ATTACKS, ["clone", CLONE] as [string, string]]) {
      const file = join(dir, "config");
      writeFileSync(file, text);
      const git = spawnSync("git", ["config", "--file", file, "--no-includes", "--list", "--null"], { encoding: "utf8" });
      const ours = parseGitConfig(text);
      if (git.status !== 0) {
        expect(ours, `${name}: git refuses it, so must we`).toBeNull();
        continue;
      }
      if (ours === null) continue; // stricter than git: counted unsafe, which is fine
      const gitKeys = git.stdout.split("\0").filter(Boolean).map((line) => line.split("\n")[0]);
      const ourKeys = ours.map((e) => (e.subsection === null ? `${e.section}.${e.name}` : `${e.section}.${e.subsection}.${e.name}`));
      expect(ourKeys, name).toEqual(gitKeys);
    }
  });

  test.skipIf(!hasGit)("what a real git init and git clone write is kept", () => {
    const repo = join(dir, "repo");
    execFileSync("git", ["init", "-q", repo]);
    execFileSync("git", ["-C", repo, "remote", "add", "origin", "https://example.com/r.git"]);
    execFileSync("git", ["-C", repo, "config", "user.name", "Agent"]);
    const text = execFileSync("cat", [join(repo, ".git", "config")], { encoding: "utf8" });
    expect(unsafeGitConfigKeys(text)).toEqual([]);
  });
});
