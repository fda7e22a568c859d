import { expect, test } from "vitest";
import { GitIgnore } from "./gitignore";

function matcher(text: string, base = ""): GitIgnore {
  const ignore = new GitIgnore();
  ignore.add(text, base);
  return ignore;
}

test.each([
  // pattern, path, isDirectory, ignored
  ["node_modules/", "node_modules", true, true],
  ["node_modules/", "pkg/node_modules", true, true],
  ["node_modules/", "node_modules", false, false],
  ["node_modules/", "node_modules/x/index.js", false, true],
  ["*.log", "a/b/debug.log", false, true],
  ["*.log", "logs", true, false],
  ["/dist", "dist", true, true],
  ["/dist", "src/dist", true, false],
  ["docs/*.md", "docs/a.md", false, true],
  ["docs/*.md", "docs/sub/a.md", false, false],
  ["docs/**/*.md", "docs/sub/deep/a.md", false, true],
  ["**/build", "x/y/build", true, true],
  ["a/**", "a/b/c", false, true],
  ["file?.txt", "file1.txt", false, true],
  ["file?.txt", "file10.txt", false, false],
  ["[abc].js", "b.js", false, true],
  ["[!abc].js", "b.js", false, false],
  ["\\#notes", "#notes", false, true],
  ["# comment", "# comment", false, false],
  ["trailing   ", "trailing", false, true],
])("%s matches %s (dir %s) → %s", (pattern, path, isDirectory, ignored) => {
  expect(matcher(pattern).ignores(path, isDirectory)).toBe(ignored);
});

test("negation: the last matching rule wins", () => {
  const ignore = matcher("*.log\n!keep.log\n");
  expect(ignore.ignores("x.log", false)).toBe(true);
  expect(ignore.ignores("keep.log", false)).toBe(false);
});

test("a nested .gitignore applies only below its folder, and can re-include", () => {
  const ignore = new GitIgnore();
  ignore.add("*.gen.ts\n", "");
  ignore.add("!api.gen.ts\n/local\n", "pkg");
  expect(ignore.ignores("pkg/api.gen.ts", false)).toBe(false);
  expect(ignore.ignores("other/api.gen.ts", false)).toBe(true);
  expect(ignore.ignores("pkg/local", true)).toBe(true);
  expect(ignore.ignores("local", true)).toBe(false);
});
