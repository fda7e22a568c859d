import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLAUDE_CODE_FILE, CLAUDE_CODE_FILE_TEXT } from "../../../node/gguf/m2-scripts";
import { ensureTestModel, expectedOutput } from "../../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../../testing/api-harness";
import { CLAUDE_CODE, runClient } from "./clients";

// The real Claude Code (`claude -p`) against the local API server's /v1/messages, on a scripted model
// through the real engine: the model calls Claude Code's own Write tool, Claude Code writes the file and
// sends the tool_result back (with the thinking block it got), the model answers.

const API_KEY = "claude-code-test-key";
// With its default tools Claude Code sends ~50 KB of system prompt, environment notes and tool schemas:
// as many byte-level tokens on the scripted model.
const CONTEXT = 65_536;
const FULL = process.env.M2D_REAL_CLIENTS_FULL === "1";
const [REASONING_1] = expectedOutput("claude-code", "turn1").split("\n</think>\n\n");
const [, ANSWER_2] = expectedOutput("claude-code", "afterTool").split("\n</think>\n\n") as [string, string];
const WORKDIR = dirname(CLAUDE_CODE_FILE);

let api: ApiHarness;
let home: string;

async function runClaude(extraArgs: readonly string[]) {
  return runClient(CLAUDE_CODE.path!, ["-p", "Create hello.txt with a greeting.", ...extraArgs, "--allowedTools", "Write", "--permission-mode", "acceptEdits"], {
    cwd: WORKDIR,
    timeoutMs: 540_000,
    // Only what Claude Code needs: a temp HOME, so no user config or login is read, and no traffic but the API's.
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: api.server.baseUrl.replace(/\/v1$/, ""),
      ANTHROPIC_API_KEY: API_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    },
  });
}

describe.skipIf(!CLAUDE_CODE.path)(`Claude Code through the local API server${CLAUDE_CODE.path ? "" : ` (skipped: ${CLAUDE_CODE.missingReason})`}`, () => {
  beforeAll(async () => {
    api = await startApiHarness(await ensureTestModel("claude-code"), { apiKey: API_KEY }, { contextSize: CONTEXT });
    home = mkdtempSync(join(tmpdir(), "m2d-claude-home-"));
  }, 120_000);
  beforeEach(() => {
    rmSync(WORKDIR, { recursive: true, force: true });
    mkdirSync(WORKDIR, { recursive: true });
  });
  afterAll(async () => {
    await api?.close();
    if (home) rmSync(home, { recursive: true, force: true });
    rmSync(WORKDIR, { recursive: true, force: true });
  });

  async function writesTheFileAndAnswers(extraArgs: readonly string[]) {
    const before = api.started.length;
    const run = await runClaude(extraArgs);
    expect({ code: run.code, stderr: run.stderr }, run.stdout).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(CLAUDE_CODE_FILE, "utf8")).toBe(CLAUDE_CODE_FILE_TEXT);
    expect(run.stdout.trim()).toBe(ANSWER_2);

    // Two turns: the Write call, then the answer from its result. The second prompt holds the Write result,
    // Claude Code's environment notes (a system message inside `messages`) and, as the official template
    // renders it, step 1's reasoning from the thinking block Claude Code sent back.
    const steps = api.started.slice(before);
    expect(steps).toHaveLength(2);
    const prompt = await api.renderedPrompt(steps[1]!);
    expect(prompt).toContain(`<think>\n${REASONING_1}\n</think>`);
    expect(prompt).toContain(`<parameter name="file_path">${CLAUDE_CODE_FILE}</parameter>`);
    expect(prompt).toMatch(/<response>[^<]*hello\.txt/);
    expect(prompt).toContain(`Primary working directory: ${WORKDIR}`);
  }

  // Write as the only tool keeps the default system prompt (~9 KB): about 12 s here.
  it("runs the Write call the model makes, sends the result back and prints the model's answer", () => writesTheFileAndAnswers(["--tools", "Write"]), 600_000);

  // All of Claude Code's default tools: a ~50k-token prompt, 170 s of CPU prefill on the test model on an idle
  // 2-core box (300 s on a busy one), so only on request.
  it.skipIf(!FULL)("does the same with Claude Code's whole default tool set (only with M2D_REAL_CLIENTS_FULL=1: 170-300 s of prefill)", () => writesTheFileAndAnswers([]), 600_000);
});
