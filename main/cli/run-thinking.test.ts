import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { GenerationEvent } from "../../app/contract";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ensureM3TestModel, m3ExpectedOutput } from "../../node/gguf/m3-test-models";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";

// `m2d run --thinking MODE` and `m2d inspect`, the built CLI on the scripted minimax-m3 and minimax-m2 models through the real engine.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const env = { ...TEST_ENGINE_ENV, FORCE_COLOR: undefined, NO_COLOR: undefined };
const m2d = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { input: "", encoding: "utf8", env, timeout: 120_000 });

let m3Model: string;
let m2Model: string;

beforeAll(async () => {
  [m3Model, m2Model] = await Promise.all([ensureM3TestModel("chat"), ensureTestModel("chat")]);
}, 120_000);

const events = (stdout: string): GenerationEvent[] => stdout.trim().split("\n").map((line) => JSON.parse(line) as GenerationEvent);

describe("m2d run --thinking", { timeout: 240_000 }, () => {
  it("reaches M3's prompt: each mode gives a different prompt, the same scripted reasoning/content split", () => {
    const scripted = /^<mm:think>([\s\S]*)<\/mm:think>([\s\S]*)$/.exec(m3ExpectedOutput("chat", "turn1"));
    const promptTokens = new Map<string, number>();
    for (const mode of ["enabled", "adaptive", "disabled"]) {
      const result = m2d(["run", m3Model, "Show me", "--gpu", "cpu", "--ctx", "2048", "--thinking", mode, "--json"]);
      expect(result.status, result.stderr).toBe(0);
      const all = events(result.stdout);
      expect(all.map((e) => (e.type === "reasoning_delta" ? e.text : "")).join("")).toBe(scripted?.[1]);
      expect(all.map((e) => (e.type === "content_delta" ? e.text : "")).join("")).toBe(scripted?.[2]);
      const stats = all.find((e) => e.type === "stats");
      promptTokens.set(mode, stats?.type === "stats" ? stats.stats.promptTokens : -1);
    }
    // "Current thinking mode: …" differs per mode, and the prefill adds <mm:think> / </mm:think> or nothing.
    expect(new Set(promptTokens.values()).size).toBe(3);
  });

  it("m2d inspect names the family and, for M3, its thinking modes", () => {
    const m3 = m2d(["inspect", m3Model]);
    expect(m3.status, m3.stderr).toBe(0);
    expect(m3.stdout).toMatch(/^architecture\s+minimax-m3$/m);
    expect(m3.stdout).toMatch(/^family\s+MiniMax-M3 \(thinking modes: enabled, adaptive, disabled; default adaptive\)$/m);
    expect(m2d(["inspect", m2Model]).stdout).toMatch(/^family\s+MiniMax-M2$/m);
  });

  it("a mode the CLI does not know is a usage error before any load", () => {
    const result = m2d(["run", m3Model, "x", "--thinking", "maximum"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^m2d: --thinking must be one of enabled, adaptive, disabled/);
  });

  it("on a model without modes (M2) it says the flag is ignored, and answers", () => {
    const result = m2d(["run", m2Model, "Show me", "--gpu", "cpu", "--ctx", "4096", "--thinking", "disabled"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("MiniMax-M2 has no thinking modes: --thinking is ignored.");
    expect(result.stdout.length).toBeGreaterThan(0);
  });
});
