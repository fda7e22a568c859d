import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent } from "../../app/contract";
import type { AgentBudget } from "../../app/contract/agent-api";
import { GenerationRequestSchema } from "../../app/contract/generation";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { TOOL_DEFINITIONS } from "../agent/tools/schemas";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";

// Issue 17: when one step alone (system, task, summary, the kept step) already passes the threshold, compacting
// cannot help. A real engine replaying the "compact" script on a first prompt (system, tools, task) that fills 88% of a 6K context (the scripted model trains on 8K, so the planner has a larger one to offer):
// the run must go on without compacting (one notice), then end with a typed context_overflow carrying the
// planner's reload offer, never a summary turn at every step.

const CONTEXT = 6144;
const scratch = mkdtempSync(join(tmpdir(), "m2d-compact-guard-"));
let backend: Backend;
let model: string;

beforeAll(async () => {
  model = await ensureTestModel("compact");
  backend = createBackend({ dataDir: join(scratch, "data"), spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  await backend.models.load(model, { gpu: "cpu", contextSize: CONTEXT });
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The engine's token count of a first step's prompt for `task`. */
async function firstPromptTokens(task: string): Promise<number> {
  const request = GenerationRequestSchema.parse({ messages: [{ role: "user", content: task }], tools: TOOL_DEFINITIONS, currentDate: new Date().toISOString().slice(0, 10) });
  return (await backend.engine.request({ op: "renderPrompt", request })).tokens;
}

/** A task whose first prompt is about `share` of the context (measured, not guessed: the scripted vocabulary decides). */
async function taskFilling(share: number): Promise<string> {
  const head = "Work through the long task. Background notes follow.\n";
  const unit = "note: keep the progress file current while the work goes on.\n";
  const base = await firstPromptTokens(head);
  const per = ((await firstPromptTokens(head + unit.repeat(100))) - base) / 100;
  const task = head + unit.repeat(Math.round((share * CONTEXT - base) / per));
  const tokens = await firstPromptTokens(task);
  expect(tokens / CONTEXT).toBeGreaterThan(share - 0.02);
  expect(tokens / CONTEXT).toBeLessThan(share + 0.02);
  return task;
}

describe("agent compaction guard (issue 17)", () => {
  it("a step that alone passes the threshold is not compacted again and again: the run goes on with one notice, then ends with a typed context_overflow and the reload offer", async () => {
    const dir = join(scratch, "ws");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "README.md"), "# Long task\n");
    const task = await taskFilling(0.88);

    const budgets: AgentBudget[] = [];
    const notices: string[] = [];
    let compacted = 0;
    let done!: (event: Extract<AppEvent, { type: "agent.done" }>) => void;
    const finished = new Promise<Extract<AppEvent, { type: "agent.done" }>>((resolve) => (done = resolve));
    const off = backend.events.subscribe((event) => {
      if (event.type === "agent.budget") budgets.push(event.budget);
      if (event.type === "agent.notice") notices.push(event.message);
      if (event.type === "agent.compacted") compacted++;
      if (event.type === "agent.done") done(event);
    });
    const { conversationId } = await backend.agent.start({ workspace: dir, task, mode: "full_auto", maxSteps: 200, repeatLimit: 0 });
    const outcome = await finished;
    off();

    // No summary turn at all: the floor (system, task, kept step) was over the threshold from the first check on.
    expect(compacted).toBe(0);
    expect(backend.agent.listCompactions(conversationId)).toEqual([]);
    const path = backend.chat.repo.listBranchPath(conversationId);
    const answers = path.filter((m) => m.role === "assistant");
    expect(answers.every((m) => !m.content.includes("## Goal"))).toBe(true);

    // It went on without compacting while the prompt fitted, told once.
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/compacting cannot make room, so the run goes on without it/);
    expect(budgets.length).toBeGreaterThanOrEqual(3);
    expect(budgets.every((b) => !b.compacted && b.promptTokens <= CONTEXT)).toBe(true);
    expect(budgets.at(-1)!.promptTokens).toBeGreaterThan(0.8 * CONTEXT);

    // Then the prompt stopped fitting: a typed end with the engine's sizes and the planner's larger context.
    expect(outcome.reason).toBe("context_overflow");
    expect(outcome.steps).toBe(budgets.length + 1);
    expect(outcome.explanation).toMatch(/^One step alone no longer fits the context, and compacting cannot make room: /);
    expect(outcome.overflow).toMatchObject({ contextSize: CONTEXT });
    expect(outcome.overflow!.promptTokens).toBeGreaterThan(budgets.at(-1)!.promptTokens);
    expect(outcome.overflow!.reloadContext).toBe(8192);
    // The refused step is stored as failed, every earlier one complete: nothing was lost or rewritten.
    expect(answers.at(-1)).toMatchObject({ status: "error", failure: { code: "context_overflow" } });
    expect(answers.slice(0, -1).every((m) => m.status === "complete")).toBe(true);
    expect(backend.agent.toolRuns(conversationId)).toHaveLength(budgets.length);
  }, 600_000);
});
