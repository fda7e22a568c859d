import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../app/chat/types";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { ChatRepository } from "../chat/repository";
import { databasePath } from "../paths";
import { openDatabase } from "../storage/database";

// The built CLI, SIGKILLed mid-run (the m2d process and its engine, as a crash or `kill -9` leaves them), then resumed.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const scratch = mkdtempSync(join(tmpdir(), "m2d-resume-"));
const env = { ...TEST_ENGINE_ENV, FORCE_COLOR: undefined, NO_COLOR: undefined, M2D_DATA_DIR: undefined };
const m2d = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { input: "", encoding: "utf8", env, timeout: 120_000 });

let loopModel: string;
let agentModel: string;
beforeAll(async () => {
  // The loop model calls list_files after every result: a run that is always mid-way when it is killed.
  [loopModel, agentModel] = await Promise.all([ensureTestModel("loop"), ensureTestModel("agent")]);
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function storedPath(dataDir: string, conversationId: string): StoredMessage[] {
  const db = openDatabase({ path: databasePath(dataDir) });
  try {
    return new ChatRepository(db).listBranchPath(conversationId);
  } finally {
    db.close();
  }
}

type AgentEvent = { type: string; conversationId?: string; reason?: string; run?: { tool: string; ok: boolean; toolMessageId: string | null } };

/** Runs m2d agent --json in its own process group and SIGKILLs the whole group once `killWhen` holds for an event. */
function runUntilKilled(args: string[], killWhen: (event: AgentEvent) => boolean) {
  return new Promise<{ events: AgentEvent[]; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const events: AgentEvent[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as AgentEvent;
        events.push(event);
        if (killWhen(event)) process.kill(-child.pid!, "SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => resolve({ events, signal }));
  });
}

describe("m2d agent --resume after a SIGKILL", () => {
  it("lists the killed run and goes on from its last completed step: no step re-run, the stored conversation continues", async () => {
    const dataDir = mkdtempSync(join(scratch, "data-"));
    const workspace = mkdtempSync(join(scratch, "ws-"));
    writeFileSync(join(workspace, "a.txt"), "a\n");
    mkdirSync(join(workspace, "src"));
    const common = ["--model", loopModel, "--gpu", "cpu", "--ctx", "8192", "--data-dir", dataDir, "--json"];

    const killed = await runUntilKilled(["agent", "--workspace", workspace, "--mode", "full-auto", "--max-steps", "50", ...common, "List the files"], (e) => e.type === "agent.tool_run");
    expect(killed.signal).toBe("SIGKILL");
    const conversationId = killed.events.find((e) => e.conversationId)!.conversationId!;
    expect(killed.events.some((e) => e.type === "agent.done")).toBe(false);

    const before = storedPath(dataDir, conversationId);
    const toolsBefore = before.filter((m) => m.role === "tool");
    expect(toolsBefore.length).toBeGreaterThanOrEqual(1);

    const list = m2d(["agent", "--list", "--data-dir", dataDir]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(conversationId);
    expect(list.stdout).toContain(workspace);

    const resumed = m2d(["agent", "--resume", conversationId, "--max-steps", "2", ...common]);
    const events = resumed.stdout.trim().split("\n").map((line) => JSON.parse(line) as AgentEvent);
    const done = events.find((e) => e.type === "agent.done");
    // The loop model never answers, so the resumed run ends at its step limit: an orderly end, not an error.
    expect(done, resumed.stderr).toMatchObject({ conversationId, reason: "max_steps" });
    const newRuns = events.filter((e) => e.type === "agent.tool_run");
    expect(newRuns.length).toBeGreaterThanOrEqual(1);

    const after = storedPath(dataDir, conversationId);
    // Every completed step stored before the kill is still on the path, in place, and was not run again.
    const lastCompleted = toolsBefore.at(-1)!;
    const cut = after.findIndex((m) => m.id === lastCompleted.id);
    expect(cut).toBeGreaterThan(0);
    expect(after.slice(0, cut + 1).map((m) => m.id)).toEqual(before.slice(0, before.findIndex((m) => m.id === lastCompleted.id) + 1).map((m) => m.id));
    const toolsAfter = after.filter((m) => m.role === "tool");
    expect(toolsAfter.length).toBe(toolsBefore.length + newRuns.length);
    expect(new Set(toolsAfter.map((m) => m.toolCallId)).size).toBe(toolsAfter.length);
    // The new steps hang off the last completed one: the conversation continues.
    expect(after[cut + 1]).toMatchObject({ role: "assistant", parentId: lastCompleted.id, status: "complete" });
    expect(newRuns.every((e) => e.run!.ok && e.run!.tool === "list_files")).toBe(true);
  }, 240_000);

  it("refuses an unknown id and a finished run with a clear error and exit code (1 not found, 2 finished), before any model load", () => {
    const dataDir = mkdtempSync(join(scratch, "data-"));
    // A path that is not a model: were the model loaded first, the error would be about it.
    const notAModel = join(scratch, "missing.gguf");
    const unknown = m2d(["agent", "--resume", "no-such-run", "--data-dir", dataDir, "--model", notAModel]);
    expect(unknown.status).toBe(1); // not_found
    expect(unknown.stderr).toContain("No conversation no-such-run");
    expect(unknown.stderr).not.toMatch(/missing\.gguf/);

    // A run that ended with its answer has nothing to go on with.
    const workspace = mkdtempSync(join(scratch, "ws-"));
    const finished = m2d(["agent", "--workspace", workspace, "--model", agentModel, "--gpu", "cpu", "--ctx", "8192", "--data-dir", dataDir, "--mode", "full-auto", "--json", "Which files?"]);
    expect(finished.status, finished.stderr).toBe(0);
    const conversationId = finished.stdout.trim().split("\n").map((line) => JSON.parse(line) as AgentEvent).find((e) => e.conversationId)!.conversationId!;
    expect(m2d(["agent", "--list", "--data-dir", dataDir]).stdout).not.toContain(conversationId);
    const again = m2d(["agent", "--resume", conversationId, "--data-dir", dataDir, "--model", notAModel]);
    expect(again.status, again.stderr).toBe(2);
    expect(again.stderr).toContain("already finished with an answer");

    const noDataDir = m2d(["agent", "--resume", "x", "--model", notAModel]);
    expect(noDataDir.status).toBe(2);
    expect(noDataDir.stderr).toContain("--data-dir");
  }, 120_000);
});
