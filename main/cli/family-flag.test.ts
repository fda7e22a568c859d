import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderM2Prompt } from "../../app/m2/prompt";
import { M3_NS, renderM3Prompt } from "../../app/m3";

// `m2d prompt` and `m2d parse` with --family / --thinking: the built CLI as a user runs it (no model needed).

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const m2d = (args: string[], input: string) => spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8", timeout: 60_000 });
const conversation = { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] } as const;

describe("m2d prompt / parse --family", () => {
  it("prompt: M2 by default, M3's template (system as developer prompt, the mode's prefill) with --family minimax-m3", () => {
    const m2 = m2d(["prompt"], JSON.stringify(conversation));
    expect(m2.status, m2.stderr).toBe(0);
    expect(m2.stdout).toBe(renderM2Prompt({ messages: [...conversation.messages] }));
    const m3 = m2d(["prompt", "--family", "minimax-m3", "--thinking", "disabled"], JSON.stringify(conversation));
    expect(m3.status, m3.stderr).toBe(0);
    expect(m3.stdout).toBe(renderM3Prompt({ messages: [...conversation.messages], thinking_mode: "disabled" }));
    expect(m3.stdout.endsWith("]~b]ai\n</mm:think>")).toBe(true);
  });

  it("parse: M3 output with --family minimax-m3.1 splits <mm:think> and reads a namespaced call typed by the schema", () => {
    const raw = `<mm:think>Need it.</mm:think>Checking.${M3_NS}<tool_call>\n${M3_NS}<invoke name="f">${M3_NS}<n>42${M3_NS}</n>${M3_NS}</invoke>\n${M3_NS}</tool_call>`;
    const tools = join(mkdtempSync(join(tmpdir(), "m2d-family-")), "tools.json");
    writeFileSync(tools, JSON.stringify([{ type: "function", function: { name: "f", parameters: { type: "object", properties: { n: { type: "integer" } } } } }]));
    const result = m2d(["parse", "--family", "minimax-m3.1", "--tools", tools], raw);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ reasoning: "Need it.", content: "Checking.", tool_calls: [{ name: "f", arguments: { n: 42 } }], errors: [] });
    // The same text read as M2 is no M3 call.
    expect(JSON.parse(m2d(["parse", "--tools", tools], raw).stdout)).toMatchObject({ tool_calls: [] });
  });

  it("an unknown family or mode is a usage error", () => {
    const family = m2d(["parse", "--family", "llama"], "x");
    expect(family.status).toBe(2);
    expect(family.stderr).toMatch(/^m2d: --family must be one of minimax-m2, minimax-m2\.1, .*minimax-m3\.1\./);
    const mode = m2d(["prompt", "--family", "minimax-m3", "--thinking", "deep"], JSON.stringify(conversation));
    expect(mode.status).toBe(2);
    expect(mode.stderr).toMatch(/^m2d: --thinking must be one of enabled, adaptive, disabled/);
  });
});
