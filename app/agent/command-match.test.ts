import { expect, test } from "vitest";
import type { SimpleCommand } from "./command";
import { formatAllowEntry } from "./allow-entry";
import type { EntryWord } from "./allow-entry";
import { matchCommand, parseAllowPattern } from "./command-match";
import { hostAllowed } from "./fetch-allow";
import { normalizePosix, relativeInside, resolvePosix } from "./posix-path";
import { isProtectedPath } from "./protected-paths";

const simple = (...argv: string[]): SimpleCommand => ({
  source: argv.join(" "),
  assignments: [],
  argv: argv.map((value) => ({ source: value, value, expands: false })),
  redirects: [],
  nesting: [],
  background: false,
});

/** Words as the analyzer gives them: `value` static, `glob` a glob word, `expands` an expansion. */
const words = (...argv: ({ value: string } | { glob: string } | { expands: string })[]): SimpleCommand => ({
  ...simple(),
  source: argv.map((w) => ("value" in w ? w.value : "glob" in w ? w.glob : w.expands)).join(" "),
  argv: argv.map((w) =>
    "value" in w ? { source: w.value, value: w.value, expands: false } : "glob" in w ? { source: w.glob, value: null, expands: false } : { source: w.expands, value: null, expands: true },
  ),
});
const v = (value: string) => ({ value });

test("allow patterns: words, an optional trailing *, and no bare wildcard", () => {
  expect(parseAllowPattern("  npm   run * ")).toEqual({
    source: "npm   run *",
    words: [{ kind: "literal", text: "npm" }, { kind: "literal", text: "run" }],
    wildcard: true,
  });
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

test("entry format: literal words (plain or single-quoted), glob: words, and only a bare trailing * as the wildcard", () => {
  const lit = (text: string): EntryWord => ({ kind: "literal", text });
  expect(parseAllowPattern("git commit -m 'a b' it\\'s")?.words).toEqual([lit("git"), lit("commit"), lit("-m"), lit("a b"), lit("it's")]);
  expect(parseAllowPattern("rm -rf glob:*")).toEqual({ source: "rm -rf glob:*", words: [lit("rm"), lit("-rf"), { kind: "glob", source: "*" }], wildcard: false });
  expect(parseAllowPattern("echo '*'")).toMatchObject({ words: [lit("echo"), lit("*")], wildcard: false });
  expect(parseAllowPattern("ls glob:'\"my dir\"/*' *")).toMatchObject({ words: [lit("ls"), { kind: "glob", source: '"my dir"/*' }], wildcard: true });
  for (const bad of ["echo 'open", "glob:* x", "rm glob:", "* x", "a * *"]) expect(parseAllowPattern(bad), bad).toBeNull();
  // Entries saved before the format keep their meaning: plain words, and a trailing * is the wildcard.
  expect(parseAllowPattern("npm run *")).toMatchObject({ words: [lit("npm"), lit("run")], wildcard: true });
  expect(parseAllowPattern("npm test")).toMatchObject({ words: [lit("npm"), lit("test")], wildcard: false });

  const samples: EntryWord[][] = [
    [lit("echo"), lit("*"), lit(""), lit("a b"), lit("it's"), lit("glob:x"), lit("$(id)"), lit("\\"), lit("x\ty")],
    [lit("ls"), { kind: "glob", source: "*.ts" }, { kind: "glob", source: "'a b'/*" }, { kind: "glob", source: "~" }],
  ];
  for (const sample of samples) {
    const entry = formatAllowEntry(sample);
    expect(parseAllowPattern(entry), entry).toEqual({ source: entry, words: sample, wildcard: false });
  }
  expect(formatAllowEntry([lit("rm"), lit("-rf"), { kind: "glob", source: "*" }])).toBe("rm -rf glob:*");
  expect(formatAllowEntry([lit("echo"), lit("*")])).toBe("echo '*'");
});

test("a glob word matches only the same glob; a literal only the same static word", () => {
  expect(matchCommand(words(v("rm"), v("-rf"), { glob: "*" }), ["rm -rf glob:*"]).allowed).toBe(true);
  expect(matchCommand(words(v("rm"), v("-rf"), v("*")), ["rm -rf glob:*"]).allowed).toBe(false);
  expect(matchCommand(words(v("rm"), v("-rf"), v("important")), ["rm -rf glob:*"]).allowed).toBe(false);
  expect(matchCommand(words(v("rm"), v("-rf"), { glob: "*" }), ["rm -rf '*'"]).allowed).toBe(false);
  expect(matchCommand(words(v("rm"), v("-rf"), { expands: "$X" }), ["rm -rf glob:$X", "rm -rf '$X'"]).allowed).toBe(false);
});

test("`*` covers static and glob words, never an expansion, nor any argument of evaluating builtins, wrappers and shells", () => {
  expect(matchCommand(words(v("cat"), v("a[$(id)]"), { glob: "*.md" }), ["cat *"]).allowed).toBe(true);
  expect(matchCommand(words(v("cat"), { expands: "${_@P}" }), ["cat *"])).toEqual({ allowed: false, reason: "`*` in `cat *` never covers an expansion: `${_@P}`" });
  expect(matchCommand(words(v("echo"), { glob: "*" }, v("x")), ["echo *"]).allowed).toBe(true);
  for (const name of ["printf", "read", "test", "[", "unset", "declare", "eval", "source", ".", "command", "builtin", "exec", "trap"]) {
    expect(matchCommand(words(v(name)), [`${name} *`]), name).toEqual({ allowed: false, reason: expect.stringContaining(`the bash builtin \`${name}\``) });
  }
  for (const name of ["env", "/usr/bin/env", "timeout", "nice", "xargs", "sudo", "nohup", "bash", "sh"]) {
    expect(matchCommand(words(v(name), v("x")), [`${name} *`]).allowed, name).toBe(false);
    expect(matchCommand(words(v(name), v("x")), [`${name} x`]).allowed, name).toBe(true); // exact, static
  }
  expect(matchCommand(words(v("printf"), v("-v"), v("x"), { glob: "*" }), ["printf -v x glob:*"]).allowed).toBe(false);
  expect(matchCommand(words(v("/usr/bin/printf"), v("%s")), ["/usr/bin/printf *"]).allowed).toBe(true); // not the builtin
});
