import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODEX_FILE_TEXT } from "../../../node/gguf/m2-scripts";
import { ensureTestModel, expectedOutput } from "../../../node/gguf/m2-test-models";
import { startApiHarness, type ApiHarness } from "../../../testing/api-harness";
import { CODEX, runClient } from "./clients";

// The real Codex CLI (`codex exec`) against the local API server's /v1/responses, on a scripted model
// through the real engine: the model calls Codex's exec_command tool, Codex runs the shell command and
// sends its output back as a function_call_output (with the reasoning item it got), the model answers.

const API_KEY = "codex-test-key";
// Outside the temp folder wherever the checkout is (CI clones into /tmp): the user's cache, as engine builds use.
const CODEX_HOMES = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "m2-desktop", "codex-homes");
// Codex's instructions, environment notes and tool schemas are ~40 KB: as many byte-level tokens.
const CONTEXT = 65_536;
const [REASONING_1] = expectedOutput("codex", "turn1").split("\n</think>\n\n");
const [, ANSWER_2] = expectedOutput("codex", "afterTool").split("\n</think>\n\n") as [string, string];

let api: ApiHarness;
let codexHome: string;
let workdir: string;

describe.skipIf(!CODEX.path)(`Codex CLI through the local API server${CODEX.path ? "" : ` (skipped: ${CODEX.missingReason})`}`, () => {
  beforeAll(async () => {
    api = await startApiHarness(await ensureTestModel("codex"), { apiKey: API_KEY }, { contextSize: CONTEXT });
    // Not under the temp folder: there Codex refuses to link its sandbox helper (codex-linux-sandbox) into
    // CODEX_HOME, and every sandboxed command then fails with "bwrap: execvp codex-linux-sandbox: No such file".
    mkdirSync(CODEX_HOMES, { recursive: true });
    codexHome = mkdtempSync(join(CODEX_HOMES, "home-"));
    workdir = mkdtempSync(join(tmpdir(), "m2d-codex-work-"));
    // The provider entry the Server page shows: Codex speaks the Responses API and reads the key from env_key.
    writeFileSync(
      join(codexHome, "config.toml"),
      [
        'model = "minimax-m2"',
        'model_provider = "m2d"',
        "",
        "[model_providers.m2d]",
        'name = "M2 Desktop"',
        `base_url = "${api.server.baseUrl}"`,
        'wire_api = "responses"',
        'env_key = "M2D_API_KEY"',
        "",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    for (const dir of [codexHome, workdir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs the shell command the model calls, sends its output back and prints the model's answer", async () => {
    const run = await runClient(
      CODEX.path!,
      // Codex's own sandbox, as users run it: the command may write only in the working folder. `codex exec`
      // never asks for approval, so nothing waits on a terminal.
      ["exec", "--skip-git-repo-check", "-s", "workspace-write", "--color", "never", "-C", workdir, "Create hello.txt with a greeting."],
      {
        cwd: workdir,
        timeoutMs: 540_000,
        // Only what Codex needs: its home in a temp folder (no user config or login), the key through env_key.
        env: { PATH: process.env.PATH, HOME: codexHome, CODEX_HOME: codexHome, M2D_API_KEY: API_KEY },
      },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(readFileSync(join(workdir, "hello.txt"), "utf8")).toBe(CODEX_FILE_TEXT);
    // `codex exec` prints the last agent message on stdout (its progress goes to stderr).
    expect(run.stdout.trim()).toBe(ANSWER_2);

    const prompt = await api.renderedPrompt(api.started.at(-1)!);
    expect(prompt).toContain(`<think>\n${REASONING_1}\n</think>`);
    expect(prompt).toContain(`<parameter name="cmd">printf '${CODEX_FILE_TEXT}' > hello.txt</parameter>`);
    // Codex hands back the command's exit status and output as the function_call_output.
    expect(prompt).toMatch(/<response>[^<]*(exit|Exit)[^<]*0/);
  }, 600_000);
});
