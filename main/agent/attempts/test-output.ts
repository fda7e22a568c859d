/** Per-test results read from a test command's output, in the formats common runners print. */

export interface ParsedTests {
  tests: { name: string; ok: boolean }[];
  passed: number;
  failed: number;
}

export const MAX_TEST_NAMES = 1000;
const MAX_NAME_CHARS = 300;
/** Colour codes, which runners print even into a pipe when forced. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

const indentOf = (line: string) => line.length - line.trimStart().length;
const name = (text: string) => text.trim().slice(0, MAX_NAME_CHARS);

function fromLines(lines: { indent: number; name: string; ok: boolean }[]): ParsedTests | null {
  if (lines.length === 0) return null;
  // Nested subtests (TAP, go) repeat under their parent: only the outermost level counts.
  const top = Math.min(...lines.map((l) => l.indent));
  const tests = lines.filter((l) => l.indent === top).map((l) => ({ name: l.name, ok: l.ok }));
  return { tests, passed: tests.filter((t) => t.ok).length, failed: tests.filter((t) => !t.ok).length };
}

function tap(lines: string[]): ParsedTests | null {
  const found = [];
  for (const line of lines) {
    const match = /^\s*(not )?ok\s+\d+\b(?:\s*-)?\s*(.*)$/.exec(line);
    if (!match) continue;
    if (/#\s*(skip|todo)\b/i.test(match[2]!)) continue;
    found.push({ indent: indentOf(line), name: name(match[2]!.replace(/\s+#.*$/, "")), ok: !match[1] });
  }
  return fromLines(found);
}

function cargo(lines: string[]): ParsedTests | null {
  const found = [];
  for (const line of lines) {
    const match = /^test (\S.*?) \.\.\. (ok|FAILED)$/.exec(line.trimEnd());
    if (match) found.push({ indent: 0, name: name(match[1]!), ok: match[2] === "ok" });
  }
  return fromLines(found);
}

function goTest(lines: string[]): ParsedTests | null {
  const found = [];
  for (const line of lines) {
    const match = /^\s*--- (PASS|FAIL): (\S+)/.exec(line);
    if (match) found.push({ indent: indentOf(line), name: name(match[2]!), ok: match[1] === "PASS" });
  }
  return fromLines(found);
}

const count = (text: string, word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(text)?.[1] ?? 0);

function pytest(lines: string[]): ParsedTests | null {
  // The closing summary: "=== 2 failed, 3 passed in 0.12s ===" or, with -q, "2 failed, 3 passed in 0.12s".
  const summary = [...lines].reverse().find((l) => /^[=\s]*(\d+ (passed|failed|error|errors|skipped|deselected|xfailed|xpassed|warnings?)[, ]*)+ in [\d.]+s/.test(l));
  const named = [];
  for (const line of lines) {
    const match = /^(PASSED|FAILED|ERROR) (\S+)/.exec(line);
    if (match) named.push({ name: name(match[2]!), ok: match[1] === "PASSED" });
  }
  if (!summary && named.length === 0) return null;
  if (!summary) return fromLines(named.map((t) => ({ indent: 0, ...t })));
  return { tests: named, passed: count(summary, "passed"), failed: count(summary, "failed") + count(summary, "errors?") };
}

function jestOrVitest(lines: string[]): ParsedTests | null {
  // Jest: "Tests:       1 failed, 2 passed, 3 total"; Vitest: "Tests  1 failed | 2 passed (3)".
  const summary = lines.find((l) => /^\s*Tests:?\s+\d+ (passed|failed)/.test(l));
  if (!summary) return null;
  const tests = [];
  for (const line of lines) {
    const match = /^\s*([✓✔√]|[✕×✗✖])\s+(.+?)(?:\s+\(?\d+\s*m?s\)?)?$/.exec(line);
    if (match) tests.push({ name: name(match[2]!), ok: /[✓✔√]/.test(match[1]!) });
  }
  return { tests, passed: count(summary, "passed"), failed: count(summary, "failed") };
}

/** The first format that recognises the output, or null (the caller falls back to the exit code). */
export function parseTestOutput(output: string): ParsedTests | null {
  const lines = output.replace(ANSI, "").split(/\r?\n/);
  for (const parse of [jestOrVitest, pytest, cargo, goTest, tap]) {
    const parsed = parse(lines);
    if (parsed) return { ...parsed, tests: parsed.tests.slice(0, MAX_TEST_NAMES) };
  }
  return null;
}
