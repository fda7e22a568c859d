import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { scratchWorkspaces } from "./scratch-workspaces";
import { detectTestCommand } from "./detect-test-command";
import { OUTPUT_TAIL_CHARS, runTestCommand } from "./test-runner";

// Real commands in the agent's bubblewrap sandbox, on real folders.

const scratch = scratchWorkspaces("m2d-testrun-");
const workspace = scratch.workspace;
afterAll(scratch.remove);

describe("runTestCommand", () => {
  it("reads node --test's TAP per test", async () => {
    const dir = workspace({
      "a.test.mjs": 'import test from "node:test";\nimport assert from "node:assert";\ntest("adds", () => assert.equal(1 + 1, 2));\ntest("breaks", () => assert.equal(1, 2));\n',
    });
    const run = await runTestCommand({ directory: dir, command: "node --test --test-reporter=tap a.test.mjs", timeoutMs: 60_000 });
    expect(run).toMatchObject({ exitCode: 1, timedOut: false, passed: 1, failed: 1 });
    expect(run.tests).toEqual([{ name: "adds", ok: true }, { name: "breaks", ok: false }]);
  }, 90_000);

  it("the command detected from package.json runs offline in the sandbox and is parsed", async () => {
    const dir = workspace({
      "package.json": JSON.stringify({ name: "x", version: "1.0.0", scripts: { test: "node --test --test-reporter=tap" } }),
      "a.test.mjs": 'import test from "node:test";\ntest("one", () => {});\ntest("two", () => {});\n',
    });
    const { command } = await detectTestCommand(dir);
    const run = await runTestCommand({ directory: dir, command: command!, timeoutMs: 60_000 });
    expect(run).toMatchObject({ exitCode: 0, passed: 2, failed: 0, tests: [{ name: "one", ok: true }, { name: "two", ok: true }] });
  }, 90_000);

  it("reads TAP a shell script prints, and a clean exit passes", async () => {
    const dir = workspace({ "t.sh": 'echo "1..3"\necho "ok 1 - one"\necho "ok 2 - two"\necho "ok 3 - three"\n' });
    const run = await runTestCommand({ directory: dir, command: "sh t.sh", timeoutMs: 30_000 });
    expect(run).toMatchObject({ exitCode: 0, passed: 3, failed: 0 });
    expect(run.tests.map((t) => t.name)).toEqual(["one", "two", "three"]);
  }, 60_000);

  it("all printed tests passing but a failing exit still counts as a failure", async () => {
    const dir = workspace({ "t.sh": 'echo "ok 1 - one"\nexit 3\n' });
    const run = await runTestCommand({ directory: dir, command: "sh t.sh", timeoutMs: 30_000 });
    expect(run).toMatchObject({ exitCode: 3, passed: 1, failed: 1 });
    expect(run.tests).toEqual([{ name: "one", ok: true }, { name: "sh t.sh (exit 3)", ok: false }]);
  }, 60_000);

  it("unrecognised output falls back to the exit code as one test, and keeps only the output's tail", async () => {
    const dir = workspace({});
    const run = await runTestCommand({ directory: dir, command: "yes line | head -c 100000; echo END; exit 0", timeoutMs: 30_000 });
    expect(run).toMatchObject({ exitCode: 0, passed: 1, failed: 0, tests: [{ name: "yes line | head -c 100000; echo END; exit 0", ok: true }] });
    expect(run.outputTail.length).toBeLessThanOrEqual(OUTPUT_TAIL_CHARS);
    expect(run.outputTail.trimEnd().endsWith("END")).toBe(true);
  }, 60_000);

  it("a hang is killed with its whole process tree at the timeout", async () => {
    const dir = workspace({});
    const marker = "613.25"; // a sleep length nothing else uses, to find survivors by
    const started = Date.now();
    const run = await runTestCommand({ directory: dir, command: `sh -c 'sleep ${marker} & sleep ${marker}'`, timeoutMs: 1500 });
    expect(Date.now() - started).toBeLessThan(1500 + 5000);
    expect(run).toMatchObject({ timedOut: true, exitCode: null, passed: 0, failed: 1 });
    const survivors = execFileSync("ps", ["-eo", "args"]).toString().split("\n").filter((line) => line.includes(`sleep ${marker}`));
    expect(survivors).toEqual([]);
  }, 60_000);
});
