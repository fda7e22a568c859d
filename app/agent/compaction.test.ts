import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../chat/types";
import { compactedPath, compactedTurnText, compactionDue, formatBudget, lastCompletedStep, latestPlan, resumePoint } from "./compaction";

let n = 0;
function msg(role: StoredMessage["role"], extra: Partial<StoredMessage> = {}): StoredMessage {
  n++;
  return { id: `m${n}`, conversationId: "c", parentId: null, role, content: `${role} ${n}`, reasoning: "", toolCalls: [], status: "complete", createdAt: n, updatedAt: n, ...extra };
}
const call = (id: string, name = "list_files") => ({ id, name, arguments: { path: "." } });
function step(name = "list_files"): StoredMessage[] {
  const a = msg("assistant", { reasoning: `thinking ${n + 1}`, toolCalls: [call(`call${n + 1}`, name)] });
  return [a, msg("tool", { toolCallId: a.toolCalls[0]!.id, toolName: name })];
}

describe("compaction", () => {
  it("is due only past the threshold share of the context", () => {
    expect(compactionDue(13_107, 16_384, 0.8)).toBe(false);
    expect(compactionDue(13_108, 16_384, 0.8)).toBe(true);
  });

  it("builds [system, task, summary, kept step, later steps]: the kept step keeps its reasoning, the plan and files are verbatim", () => {
    const system = msg("system");
    const task = msg("user", { content: "Do the long task." });
    const plan = step("todo");
    plan[1]!.content = "Plan (0/2 done):\n[>] 1. Write progress.md\n[ ] 2. Keep going";
    const old = [...step(), ...step()];
    const kept = step();
    const summary = msg("assistant", { content: "## Goal\nFinish the long task.", reasoning: "summarising" });
    const later = step();
    const path = [system, task, ...plan, ...old, ...kept, summary, ...later];
    expect(latestPlan(path)).toBe(plan[1]!.content);
    const view = { summaryMessageId: summary.id, keptFromMessageId: kept[0]!.id, summary: summary.content, plan: latestPlan(path), changedFiles: ["progress.md"] };
    const out = compactedPath(path, view);
    expect(out.map((m) => m.id)).toEqual([system.id, task.id, `${summary.id}:compacted`, kept[0]!.id, kept[1]!.id, later[0]!.id, later[1]!.id]);
    const turn = out[2]!;
    expect(turn.role).toBe("user");
    expect(turn.content).toBe(compactedTurnText(view));
    expect(turn.content).toContain("## Goal\nFinish the long task.");
    expect(turn.content).toContain("[>] 1. Write progress.md\n[ ] 2. Keep going");
    expect(turn.content).toContain("- progress.md");
    expect(out[3]).toBe(kept[0]);
    expect(out[3]!.reasoning).toBe(kept[0]!.reasoning);
    // The stored path itself is untouched.
    expect(path).toHaveLength(2 + 2 + 4 + 2 + 1 + 2);
  });

  it("leaves a branch the compaction is not on as it is", () => {
    const path = [msg("user"), ...step()];
    expect(compactedPath(path, { summaryMessageId: "elsewhere", keptFromMessageId: path[1]!.id, summary: "s", plan: null, changedFiles: [] })).toEqual(path);
  });

  it("finds the last completed step only when every call of it has a result", () => {
    const done = step();
    expect(lastCompletedStep([msg("user"), ...done])).toBe(done[0]);
    const two = msg("assistant", { toolCalls: [call("x"), call("y")] });
    expect(lastCompletedStep([msg("user"), two, msg("tool")])).toBeNull();
    expect(lastCompletedStep([msg("user")])).toBeNull();
  });

  it("resumes from the last completed step, dropping a step cut off mid-way", () => {
    const task = msg("user");
    const done = step();
    const cut = msg("assistant", { status: "interrupted", content: "" });
    expect(resumePoint([task, ...done, cut])).toEqual({ ok: true, messageId: done[1]!.id });
    // A step whose answer finished but whose calls did not all run: generated again from the step before.
    const half = msg("assistant", { toolCalls: [call("p"), call("q")] });
    expect(resumePoint([task, ...done, half, msg("tool")])).toEqual({ ok: true, messageId: done[1]!.id });
    expect(resumePoint([task, half])).toEqual({ ok: true, messageId: task.id });
    const summary = msg("assistant");
    expect(resumePoint([task, ...done, summary], new Set([summary.id]))).toEqual({ ok: true, messageId: summary.id });
    expect(resumePoint([task, ...done, msg("assistant")])).toMatchObject({ ok: false, reason: "finished" });
    expect(resumePoint([])).toMatchObject({ ok: false, reason: "empty" });
  });

  it("shows a step's budget as used / context with the share and what was evaluated", () => {
    expect(formatBudget({ step: 3, promptTokens: 5912, evaluatedTokens: 170, contextSize: 16_384, compacted: false })).toBe(
      "step 3 · context 5,912 / 16,384 (36%) · 170 evaluated",
    );
    expect(formatBudget({ step: 40, promptTokens: 6087, evaluatedTokens: 700, contextSize: null, compacted: true })).toBe(
      "step 40 · context 6,087 tokens · 700 evaluated · compacted history",
    );
  });
});
