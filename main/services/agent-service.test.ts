import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent } from "../../app/contract";
import { DEEP_NESTING } from "../../node/gguf/m2-scripts";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";

// The agent loop end to end: real engine, scripted agent models, real tools on a real folder, real SQLite.

const scratch = mkdtempSync(join(tmpdir(), "m2d-agent-"));
let backend: Backend;
const models: Record<string, string> = {};

function workspace(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "README.md"), "# Demo\n");
  writeFileSync(join(dir, "src", "index.ts"), "export {};\n");
  return dir;
}

function nextEvent<T extends AppEvent["type"]>(type: T, predicate: (e: Extract<AppEvent, { type: T }>) => boolean = () => true) {
  return new Promise<Extract<AppEvent, { type: T }>>((resolve) => {
    const off = backend.events.subscribe((event) => {
      if (event.type === type && predicate(event as Extract<AppEvent, { type: T }>)) {
        off();
        resolve(event as Extract<AppEvent, { type: T }>);
      }
    });
  });
}

beforeAll(async () => {
  for (const scenario of ["agent", "loop", "edit", "cutoff", "deep"] as const) models[scenario] = await ensureTestModel(scenario);
  backend = createBackend({ dataDir: join(scratch, "data"), spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("agent loop", () => {
  it("lists files, reads the result and answers; every step is stored with its reasoning and the tool run", async () => {
    await backend.models.load(models.agent!, { gpu: "cpu", contextSize: 8192 });
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: workspace("a"), task: "What is in this folder?", mode: "ask", maxSteps: 10 });
    expect(await done).toMatchObject({ conversationId, reason: "answered", steps: 2 });

    const path = backend.chat.repo.listBranchPath(conversationId);
    expect(path.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    const [, step1, tool, step2] = path;
    expect(step1?.reasoning).toContain("I should call list_files");
    expect(step1?.toolCalls).toMatchObject([{ name: "list_files", arguments: { path: "." } }]);
    expect(tool?.content).toContain("README.md");
    expect(tool?.content).toContain("src/");
    expect(step2?.reasoning).toContain("The tool returned the directory listing");
    expect(step2?.status).toBe("complete");
    expect(backend.agent.toolRuns(conversationId)).toMatchObject([{ tool: "list_files", decision: "allow", decidedBy: "policy", approved: true, ok: true }]);
  });

  it("asks before a write in Ask mode: approved, the file is written; declined, it is not", async () => {
    await backend.models.load(models.edit!, { gpu: "cpu", contextSize: 8192 });
    for (const approved of [true, false]) {
      const dir = workspace(`edit-${approved}`);
      const approval = nextEvent("agent.approval");
      const done = nextEvent("agent.done");
      const { conversationId } = await backend.agent.start({ workspace: dir, task: "Make a notes file.", mode: "ask", maxSteps: 5 });
      const request = await approval;
      expect(request.decision).toMatchObject({ kind: "ask", tool: "write_file" });
      expect(request.decision.action).toContain("notes.md");
      // The user takes a while to decide: that wait is not the tool's duration.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await backend.agent.approve(request.approvalId, approved);
      expect((await done).reason).toBe("answered");
      expect(existsSync(join(dir, "notes.md"))).toBe(approved);
      expect(backend.agent.toolRuns(conversationId)[0]!.durationMs).toBeLessThan(1000);
      // M2's parameter rules trim one leading and one trailing newline from each value.
      if (approved) expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("Hello from M2");
      expect(backend.agent.toolRuns(conversationId)[0]).toMatchObject({ tool: "write_file", decision: "ask", decidedBy: "user", approved, ok: approved });
    }
  }, 90_000);

  it("a decline with a reason: nothing is written, and the tool result tells the model why", async () => {
    await backend.models.load(models.edit!, { gpu: "cpu", contextSize: 8192 });
    const dir = workspace("deny-reason");
    const approval = nextEvent("agent.approval");
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: dir, task: "Make a notes file.", mode: "ask", maxSteps: 5 });
    await backend.agent.approve((await approval).approvalId, false, false, "  Put the notes in docs/ instead. ");
    expect((await done).reason).toBe("answered");
    expect(existsSync(join(dir, "notes.md"))).toBe(false);
    const tool = backend.chat.repo.listBranchPath(conversationId).find((m) => m.role === "tool");
    expect(tool?.content).toBe("The user declined this action: Put the notes in docs/ instead.");
    expect(backend.agent.toolRuns(conversationId)[0]).toMatchObject({ tool: "write_file", decidedBy: "user", approved: false, ok: false });
  });

  it("'always allow' is remembered for the workspace: the next run writes without asking", async () => {
    await backend.models.load(models.edit!, { gpu: "cpu", contextSize: 8192 });
    const dir = workspace("edit-always");
    const approval = nextEvent("agent.approval");
    let done = nextEvent("agent.done");
    await backend.agent.start({ workspace: dir, task: "Make a notes file.", maxSteps: 5 });
    const first = await approval;
    expect(first.decision.alwaysAllow).toEqual({ ok: true, entries: ["write_file"] }); // shown before saving
    await backend.agent.approve(first.approvalId, true, true);
    expect((await done).reason).toBe("answered");
    expect(backend.agent.workspaceSettings.get(realpathSync(dir)).allowedTools).toEqual(["write_file"]);

    rmSync(join(dir, "notes.md"));
    let asked = false;
    const off = backend.events.subscribe((event) => void (event.type === "agent.approval" && (asked = true)));
    done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: dir, task: "Make a notes file.", maxSteps: 5 });
    expect((await done).reason).toBe("answered");
    off();
    expect(asked).toBe(false);
    expect(existsSync(join(dir, "notes.md"))).toBe(true);
    expect(backend.agent.toolRuns(conversationId)[0]).toMatchObject({ tool: "write_file", decision: "allow", decidedBy: "policy" });
    // Another workspace is still asked.
    expect(backend.agent.workspaceSettings.get(realpathSync(workspace("other"))).allowedTools).toEqual([]);
  });

  it("review: a pending approval is listed for a reloaded UI; revert waits for the loop, then restores the file from its checkpoint", async () => {
    await backend.models.load(models.edit!, { gpu: "cpu", contextSize: 8192 });
    const dir = workspace("review");
    writeFileSync(join(dir, "notes.md"), "old notes\n");
    const approval = nextEvent("agent.approval");
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: dir, task: "Make a notes file.", mode: "ask", maxSteps: 5 });
    const request = await approval;
    expect(backend.agent.state(conversationId)).toEqual({
      running: true,
      approvals: [{ approvalId: request.approvalId, conversationId, callId: request.callId, decision: request.decision }],
    });
    await backend.agent.approve(request.approvalId, true);
    await done;
    expect(backend.agent.state(conversationId)).toEqual({ running: false, approvals: [] });

    const { changes, files } = await backend.agent.changes(conversationId);
    expect(changes).toMatchObject([{ tool: "write_file", path: "notes.md", before: "old notes\n", after: "Hello from M2", omitted: null }]);
    expect(files).toEqual([{ path: "notes.md", text: "Hello from M2", omitted: null }]);
    expect(await backend.agent.revert(conversationId, changes[0]!.checkpointId)).toEqual({ restored: ["notes.md"], removed: [] });
    expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("old notes\n");
    await expect(backend.agent.revert(conversationId, "cp-0000000000000-00000000")).rejects.toMatchObject({ code: "not_found" });
    await expect(backend.agent.artifact(conversationId, "../x.html")).rejects.toMatchObject({ details: { reason: "outside_workspace" } });

    // While a loop runs in the conversation, a revert is refused rather than racing its writes.
    // (A follow-up here sees the tool result in its history, so this model just answers.)
    const answered = nextEvent("agent.done");
    await backend.agent.start({ workspace: dir, task: "Once more.", conversationId, mode: "ask", maxSteps: 5 });
    await expect(backend.agent.revert(conversationId, changes[0]!.checkpointId)).rejects.toMatchObject({ code: "engine_busy" });
    expect((await answered).reason).toBe("answered");
  });

  it("a write_file cut off by the end of the output never runs, even in Full auto: the next prompt carries the error", async () => {
    await backend.models.load(models.cutoff!, { gpu: "cpu", contextSize: 8192 });
    const dir = workspace("cutoff");
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: dir, task: "Write the notes.", mode: "full_auto", maxSteps: 5 });
    expect(await done).toMatchObject({ conversationId, reason: "answered", steps: 2 });
    expect(existsSync(join(dir, "cut.md"))).toBe(false);

    const path = backend.chat.repo.listBranchPath(conversationId);
    expect(path.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    const [, step1, tool, step2] = path;
    expect(step1?.toolCalls).toMatchObject([
      { name: "write_file", arguments: { path: "cut.md", content: "The first half" }, error: { code: "unclosed_tool_call" } },
    ]);
    const result = "Error: Your call to write_file was not run: the output ended before </invoke>, so the call may be incomplete.";
    expect(tool?.content).toContain(result);
    expect(step2?.reasoning).toContain("My write_file call was cut off");
    expect(backend.agent.toolRuns(conversationId)).toMatchObject([{ tool: "write_file", decision: null, decidedBy: "none", approved: false, ok: false }]);
    const { prompt } = await backend.engine.request({ op: "renderPrompt", request: backend.chat.requestFor(conversationId, "") }, { timeoutMs: 10_000 });
    expect(prompt).toContain(`<response>${result}`);
  });

  it("a call with a 10,000-deep argument gets a typed error result, and the run goes on", async () => {
    // The flagged call keeps its 20,000-character value as text, and this vocab has no merges: a long next prompt.
    await backend.models.load(models.deep!, { gpu: "cpu", contextSize: 40_960 });
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: workspace("deep"), task: "Plan it.", mode: "full_auto", maxSteps: 5 });
    expect(await done).toMatchObject({ conversationId, reason: "answered", steps: 2 });

    const [, step1, tool, step2] = backend.chat.repo.listBranchPath(conversationId);
    const deep = `${"[".repeat(DEEP_NESTING)}${"]".repeat(DEEP_NESTING)}`;
    expect(step1?.status).toBe("complete");
    expect(step1?.toolCalls).toMatchObject([{ name: "todo", arguments: { items: deep }, error: { code: "argument_too_deep" } }]);
    expect(tool?.content).toBe(
      'Error: Your call to todo was not run: the value of "items" nests deeper than 128 levels. Send the call again with a value that nests less deeply.',
    );
    expect(step2).toMatchObject({ status: "complete", content: "The plan could not be recorded: it was nested too deeply." });
    expect(backend.agent.toolRuns(conversationId)).toMatchObject([{ tool: "todo", approved: false, ok: false }]);
  });

  it("stops a model that repeats the same call three times in a row, with the explanation", async () => {
    await backend.models.load(models.loop!, { gpu: "cpu", contextSize: 8192 });
    const done = nextEvent("agent.done");
    await backend.agent.start({ workspace: workspace("loop"), task: "Look around.", mode: "ask", maxSteps: 50 });
    const outcome = await done;
    expect(outcome.reason).toBe("repeated_call");
    expect(outcome.explanation).toContain("same call 3 times in a row");
    expect(outcome.steps).toBe(4); // "." once, then "./" three times
  });

  it("two windows starting on one conversation at once: one loop runs, the other is refused as busy", async () => {
    await backend.models.load(models.agent!, { gpu: "cpu", contextSize: 8192 });
    const dir = workspace("twice");
    let done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: dir, task: "What is in this folder?", maxSteps: 10 });
    await done;

    let loops = 0;
    const off = backend.events.subscribe((event) => void (event.type === "agent.done" && event.conversationId === conversationId && loops++));
    done = nextEvent("agent.done", (e) => e.conversationId === conversationId);
    const starts = await Promise.allSettled([0, 1].map(() => backend.agent.start({ workspace: dir, conversationId, task: "Again.", maxSteps: 10 })));
    await done;
    off();
    expect(starts.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(starts.find((s) => s.status === "rejected")).toMatchObject({ reason: { code: "engine_busy" } });
    expect(loops).toBe(1);
    expect(backend.chat.repo.listBranchPath(conversationId).filter((m) => m.role === "user")).toHaveLength(2);
  });

  it("long horizon: 150 tool calls stop at max steps, memory stays flat, every step is stored", async () => {
    // ~5k tokens of tool schemas (this test vocab has no merges) plus ~170 per step.
    await backend.models.load(models.loop!, { gpu: "cpu", contextSize: 49152 });
    const rss: number[] = [];
    const off = backend.events.subscribe((event) => {
      if (event.type === "agent.tool_run") rss.push(process.memoryUsage().rss);
    });
    const done = nextEvent("agent.done");
    const { conversationId } = await backend.agent.start({ workspace: workspace("long"), task: "Keep looking.", mode: "full_auto", maxSteps: 150, repeatLimit: 0 });
    const outcome = await done;
    off();
    expect(outcome).toMatchObject({ reason: "max_steps", steps: 150 });
    expect(outcome.explanation).toContain("150 steps");
    const path = backend.chat.repo.listBranchPath(conversationId);
    // Plus one summary turn per compaction (at 80% of the context), if the run got that far.
    expect(path.filter((m) => m.role === "assistant")).toHaveLength(150 + backend.agent.listCompactions(conversationId).length);
    expect(path.filter((m) => m.role === "tool")).toHaveLength(150);
    expect(path.every((m) => m.status === "complete")).toBe(true);
    expect(backend.agent.toolRuns(conversationId)).toHaveLength(150);
    // Flat: the backend's memory after 150 steps is within 64 MB of what it was after 10.
    expect(rss[149]! - rss[9]!).toBeLessThan(64 * 1024 * 1024);
  }, 600_000);
});
