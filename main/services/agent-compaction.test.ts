import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent } from "../../app/contract";
import type { AgentBudget, Compaction } from "../../app/contract/agent-api";
import { GenerationRequestSchema } from "../../app/contract/generation";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { TOOL_DEFINITIONS } from "../agent/tools/schemas";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { stepPrompt } from "./agent-compaction";

// Issue 17 end to end: a real engine replaying the "compact" script (a todo plan, then a write_file after every
// result, forever), real tools on a real folder, real SQLite. Nothing here is a double.

const scratch = mkdtempSync(join(tmpdir(), "m2d-compact-"));
const dataDir = join(scratch, "data");
let backend: Backend;
let model: string;

const open = () => createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });

function workspace(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "README.md"), "# Long task\n");
  return dir;
}

/** The first event of the current backend that `pick` maps to a value. */
function until<T>(pick: (event: AppEvent) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event) => {
      const value = pick(event);
      if (value !== undefined) {
        off();
        resolve(value);
      }
    });
  });
}

beforeAll(async () => {
  model = await ensureTestModel("compact");
  backend = open();
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

const KEPT_REASONING = "Next step of the plan: update progress.md again.";

describe("agent context compaction (issue 17)", () => {
  it("150 tool turns in a 16K context: compacts between steps, every compacted prompt holds the summary, the plan, the files and the last step's reasoning, and the KV cache is reused after it", async () => {
    await backend.models.load(model, { gpu: "cpu", contextSize: 16_384 });
    const budgets: AgentBudget[] = [];
    const published: Compaction[] = [];
    const off = backend.events.subscribe((event) => {
      if (event.type === "agent.budget") budgets.push(event.budget);
      if (event.type === "agent.compacted") published.push(event.compaction);
    });
    const done = until((e) => (e.type === "agent.done" ? e : undefined));
    const { conversationId } = await backend.agent.start({ workspace: workspace("long"), task: "Work through the long task.", mode: "full_auto", maxSteps: 150, repeatLimit: 0 });
    const outcome = await done;
    off();
    expect(outcome).toMatchObject({ reason: "max_steps", steps: 150 });

    // Every step ran within the context, with its budget published.
    expect(budgets).toHaveLength(150);
    expect(budgets.every((b) => b.contextSize === 16_384 && b.promptTokens + b.generatedTokens <= 16_384)).toBe(true);
    expect(budgets.map((b) => b.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));

    const compactions = backend.agent.listCompactions(conversationId);
    expect(compactions.length).toBeGreaterThanOrEqual(2);
    expect(published).toEqual(compactions);
    const path = backend.chat.repo.listBranchPath(conversationId);
    // Nothing was deleted: all 150 steps and their results are stored, plus one summary turn per compaction.
    expect(path.filter((m) => m.role === "tool")).toHaveLength(150);
    expect(path.filter((m) => m.role === "assistant")).toHaveLength(150 + compactions.length);
    expect(path.every((m) => m.status === "complete")).toBe(true);

    const figures: string[] = [];
    for (const compaction of compactions) {
      expect(compaction).toMatchObject({ trigger: "threshold", contextSize: 16_384, changedFiles: ["progress.md"] });
      expect(compaction.promptTokensBefore).toBeGreaterThan(0.8 * 16_384);
      expect(compaction.plan).toBe("Plan (0/2 done):\n[>] 1. Write progress.md\n[ ] 2. Keep going");
      expect(compaction.summary.length).toBeGreaterThan(0);
      const kept = path.find((m) => m.id === compaction.keptFromMessageId)!;
      expect(kept).toMatchObject({ role: "assistant", reasoning: KEPT_REASONING });

      // The prompt of the step after the summary, rendered by the engine: the one the model got (same token count).
      const at = path.findIndex((m) => m.id === compaction.summaryMessageId);
      const next = path[at + 1]!;
      const { messages } = stepPrompt(backend.chat, backend.agent.compactions, conversationId, compaction.summaryMessageId, 200_000);
      const rendered = await backend.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse({ messages, tools: TOOL_DEFINITIONS, currentDate: new Date().toISOString().slice(0, 10) }) });
      expect(rendered.tokens).toBe(next.stats!.promptTokens);
      expect(rendered.prompt).toContain("Work through the long task.");
      expect(rendered.prompt).toContain(compaction.summary);
      expect(rendered.prompt).toContain("[>] 1. Write progress.md\n[ ] 2. Keep going");
      expect(rendered.prompt).toContain("- progress.md");
      expect(rendered.prompt).toContain(KEPT_REASONING);
      // Only the kept step's result is left of the old ones.
      expect(messages.filter((m) => m.role === "tool")).toHaveLength(1);
      expect(next.stats!.promptTokens).toBeLessThan(compaction.promptTokensBefore / 2);

      // KV reuse after the compaction: the system prompt and tools still come from the cache, and the step after
      // evaluates only what is new.
      const after = path.slice(at + 1).filter((m) => m.role === "assistant").slice(0, 3);
      for (const m of after) figures.push(`after compaction ${compactions.indexOf(compaction) + 1}: evaluated ${m.stats!.evaluatedTokens} / prompt ${m.stats!.promptTokens}`);
      expect(after[0]!.stats!.reusedTokens).toBeGreaterThan(0.5 * after[0]!.stats!.promptTokens);
      expect(after[1]!.stats!.evaluatedTokens).toBeLessThan(0.1 * after[1]!.stats!.promptTokens);
    }
    console.log(`[compaction] ${compactions.length} compactions in 150 steps\n${figures.join("\n")}`);
  }, 900_000);

  it("a run interrupted by a quit resumes from its last completed step in a new backend on the same data", async () => {
    await backend.models.load(model, { gpu: "cpu", contextSize: 16_384 });
    let runs = 0;
    const third = until((e) => (e.type === "agent.tool_run" && ++runs === 3 ? e : undefined));
    const { conversationId } = await backend.agent.start({ workspace: workspace("resume"), task: "Work through the long task.", mode: "full_auto", maxSteps: 50, repeatLimit: 0 });
    await third;
    await backend.close(); // the app quits mid-run
    backend = open();
    const before = backend.chat.repo.listBranchPath(conversationId);
    const toolsBefore = before.filter((m) => m.role === "tool").length;
    expect(toolsBefore).toBeGreaterThanOrEqual(3);
    const lastTool = before.findLast((m) => m.role === "tool")!;

    await backend.models.load(model, { gpu: "cpu", contextSize: 16_384 });
    const done = until((e) => (e.type === "agent.done" ? e : undefined));
    const resumed = await backend.agent.resume({ conversationId, maxSteps: 4, mode: "full_auto", repeatLimit: 0 });
    expect(resumed.resumedFrom).toBe(lastTool.id);
    expect(await done).toMatchObject({ reason: "max_steps", steps: 4 });

    const path = backend.chat.repo.listBranchPath(conversationId);
    const from = path.findIndex((m) => m.id === lastTool.id);
    expect(path.slice(0, from + 1).map((m) => m.id)).toEqual(before.slice(0, before.findIndex((m) => m.id === lastTool.id) + 1).map((m) => m.id));
    expect(path.slice(from + 1).map((m) => m.role)).toEqual(["assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant", "tool"]);
    expect(path[from + 1]!.reasoning).toBe(KEPT_REASONING);
    expect(backend.agent.toolRuns(conversationId)).toHaveLength(toolsBefore + 4);

    // A finished or unknown run is refused with a typed error, and nothing is appended.
    await expect(backend.agent.resume({ conversationId: "nope", maxSteps: 1 })).rejects.toMatchObject({ code: "not_found" });
  }, 300_000);
});
