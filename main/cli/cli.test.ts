import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corruptCases } from "../../node/gguf/corrupt-corpus";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";

// The built CLI as a user runs it: a real process, real stdin/stdout, the real engine.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const scratch = mkdtempSync(join(tmpdir(), "m2d-cli-"));
const m2d = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], { input: input ?? "", encoding: "utf8", env: TEST_ENGINE_ENV, timeout: 120_000 });

let agentModel: string;
let editModel: string;
beforeAll(async () => {
  [agentModel, editModel] = await Promise.all([ensureTestModel("agent"), ensureTestModel("edit")]);
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("m2d", () => {
  it("prompt prints the exact M2 prompt for OpenAI-format messages", () => {
    const result = m2d(["prompt"], JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }));
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("]~!b[]~b]system\nYou are a helpful assistant.[e~[\n]~b]user\nHi[e~[\n]~b]ai\n<think>\n");
  });

  it("prompt refuses malformed input with a usage error, not a stack trace", () => {
    const result = m2d(["prompt"], "{not json");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^m2d: stdin is not valid JSON/);
  });

  it("parse turns raw output into reasoning, content and typed tool calls", () => {
    const tools = join(scratch, "tools.json");
    writeFileSync(tools, JSON.stringify([{ type: "function", function: { name: "f", parameters: { type: "object", properties: { n: { type: "integer" } } } } }]));
    const result = m2d(["parse", "--tools", tools], 'think\n</think>\n\nok\n<minimax:tool_call>\n<invoke name="f">\n<parameter name="n">42</parameter>\n</invoke>\n</minimax:tool_call>');
    expect(JSON.parse(result.stdout)).toMatchObject({ reasoning: "think", content: "ok", tool_calls: [{ name: "f", arguments: { n: 42 } }] });
  });

  it("parse prints a 10,000-deep argument as text with a typed call error, not a stack overflow", () => {
    const tools = join(scratch, "deep-tools.json");
    writeFileSync(tools, JSON.stringify([{ type: "function", function: { name: "f", parameters: { type: "object", properties: { v: { type: "array" } } } } }]));
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const result = m2d(["parse", "--tools", tools], `</think>\n\nok<minimax:tool_call>\n<invoke name="f">\n<parameter name="v">${deep}</parameter>\n</invoke>\n</minimax:tool_call>`);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      content: "ok",
      tool_calls: [{ name: "f", arguments: { v: deep }, error: { code: "argument_too_deep" } }],
      errors: [{ code: "argument_too_deep", tool_call_index: 0 }],
    });
  });

  it("inspect reports the model; a corrupt file gets a typed message and exit 1", () => {
    const ok = m2d(["inspect", agentModel, "--json"]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ architecture: "minimax-m2", isM2: true, chatTemplate: "official" });
    const bad = join(scratch, "bad.gguf");
    writeFileSync(bad, "GGUF but not really");
    const result = m2d(["inspect", bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^m2d: /);
  });

  it("inspect says why a malformed model is refused: a FIFO, a 16 GiB sparse file claiming 2^29 tokens, norms stored F16", async () => {
    const cases = new Map((await corruptCases()).map((c) => [c.name, c]));
    const expected: Record<string, RegExp> = {
      fifo: /^m2d: Not a regular file: .*fifo\.gguf is a FIFO/,
      "sparse-2^29-tokens": /^m2d: Header too large: .*sparse-2\^29-tokens\.gguf: decoding its header needs more than 128 MiB/,
      "norms-f16": /^m2d: Invalid tensor type: .*tensor output_norm\.weight is stored as F16; norms, biases and other vectors must be F32/,
    };
    for (const [name, message] of Object.entries(expected)) {
      const result = m2d(["inspect", await cases.get(name)!.make(scratch)]);
      expect(result.stderr, name).toMatch(message);
      expect(result.status, name).toBe(1);
    }
  });

  it("run streams the answer", () => {
    const result = m2d(["run", agentModel, "Which files?", "--gpu", "cpu", "--ctx", "4096"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(expectedOutput("agent", "turn1").split("</think>")[0]!.trim());
    expect(result.stdout).toContain('[tool call] list_files({"path":"."})');
  });

  it("agent without a terminal refuses what needs approval and still finishes", () => {
    const workspace = join(scratch, "ws");
    mkdirSync(workspace);
    const result = m2d(["agent", "--workspace", workspace, "--model", editModel, "--gpu", "cpu", "--ctx", "8192", "Make notes"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("needs approval and no terminal is attached: refused");
    expect(existsSync(join(workspace, "notes.md"))).toBe(false);
  });
});
