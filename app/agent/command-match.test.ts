import { expect, test } from "vitest";
import type { SimpleCommand } from "./command";
import { matchCommand, parseAllowPattern } from "./command-match";
import { hostAllowed } from "./fetch-allow";
import { normalizePosix, relativeInside, resolvePosix } from "./posix-path";
import { isProtectedPath } from "./protected-paths";

const simple = (...argv: string[]): SimpleCommand => ({
  source: argv.join(" "),
  assignments: [],
  argv: argv.map((value) => ({ source: value, value })),
  redirects: [],
  nesting: [],
  background: false,
});

test("allow patterns: words, an optional trailing *, and no bare wildcard", () => {
  expect(parseAllowPattern("  npm   run * ")).toEqual({ source: "npm   run *", words: ["npm", "run"], prefix: true });
  expect(parseAllowPattern("*")).toBeNull();
  expect(parseAllowPattern("npm * test")).toBeNull();
  expect(parseAllowPattern("   ")).toBeNull();
});

test("matching is word by word, never by string prefix", () => {
  expect(matchCommand(simple("npm", "test"), ["npm test"])).toEqual({ allowed: true, pattern: "npm test" });
  expect(matchCommand(simple("npm", "tests"), ["npm test"]).allowed).toBe(false);
  expect(matchCommand(simple("npm", "test", "a;rm -rf ~"), ["npm test *"]).allowed).toBe(true); // a quoted argument, not a chain
  expect(matchCommand(simple("npm", "test;rm"), ["npm test *"]).allowed).toBe(false);
  expect(matchCommand(simple("git"), ["git *"]).allowed).toBe(true);
  expect(matchCommand(simple("npx", "test"), ["npm test"]).allowed).toBe(false);
});

test("protected paths: git internals and .m2d anywhere, rc files by name, case-insensitively", () => {
  for (const p of [".git", ".git/hooks/x", "vendor/lib/.git/config", ".m2d/x", ".envrc", "a/b/.envrc", ".zshrc", ".Bashrc", ".git/modules/x/config"]) {
    expect(isProtectedPath(p), p).toBe(true);
  }
  for (const p of ["src/git.ts", ".gitignore", ".github/workflows/ci.yml", "bashrc", "docs/.envrc.example"]) {
    expect(isProtectedPath(p), p).toBe(false);
  }
});

test("posix path helpers resolve lexically and keep .. from escaping a relative root", () => {
  expect(normalizePosix("/a/./b/../c//d/")).toBe("/a/c/d");
  expect(normalizePosix("/../..")).toBe("/");
  expect(normalizePosix("a/../../b")).toBe("../b");
  expect(resolvePosix("/w", "x/../y")).toBe("/w/y");
  expect(resolvePosix("/w", "/etc/passwd")).toBe("/etc/passwd");
  expect(relativeInside("/w", "/w/a/b")).toBe("a/b");
  expect(relativeInside("/w", "/w")).toBe("");
  expect(relativeInside("/w", "/wx/a")).toBeNull();
  expect(relativeInside("/w", "/w/../etc")).toBeNull();
});

test("fetch host allowlist: exact names, and *.domain for subdomains only", () => {
  expect(hostAllowed("docs.python.org", ["docs.python.org"])).toBe(true);
  expect(hostAllowed("DOCS.python.org.", ["docs.python.org"])).toBe(true);
  expect(hostAllowed("evil-docs.python.org", ["docs.python.org"])).toBe(false);
  expect(hostAllowed("api.github.com", ["*.github.com"])).toBe(true);
  expect(hostAllowed("github.com", ["*.github.com"])).toBe(false);
  expect(hostAllowed("evilgithub.com", ["*.github.com"])).toBe(false);
  expect(hostAllowed("anything.com", ["*"])).toBe(false);
  expect(hostAllowed("x.com", [])).toBe(false);
});
