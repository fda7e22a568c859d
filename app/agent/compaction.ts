import type { StoredMessage } from "../chat/types";

/**
 * Context compaction for long agent runs (issue 17): between two steps, when the next prompt would pass a
 * share of the context, the model writes a structured summary in a turn of its own, and the loop goes on from
 * [system, task, summary, the last completed step]. Nothing stored is rewritten or dropped: the summary is a
 * message of the conversation, and only the prompt the model sees is built from it.
 */

/** What the summary turn asks for; the headings are the issue's. */
export const COMPACTION_INSTRUCTION = [
  "The context is filling up. Before the next step, write a summary of the work so far that lets you continue from it alone.",
  "Use exactly these headings:",
  "## Goal",
  "## Decisions",
  "## Files changed (and why)",
  "## Open problems",
  "## Plan",
  "Be specific (paths, names, commands, results). Do not call tools in this turn.",
].join("\n");

/** The parts of a stored compaction the prompt needs. */
export interface CompactionView {
  summaryMessageId: string;
  keptFromMessageId: string;
  summary: string;
  plan: string | null;
  changedFiles: readonly string[];
}

/** Whether a prompt of `promptTokens` passes `compactAt` of the context. */
export function compactionDue(promptTokens: number, contextSize: number, compactAt: number): boolean {
  return promptTokens > Math.floor(contextSize * compactAt);
}

/** The user turn that stands for everything before the kept step: the summary, then the plan and files verbatim. */
export function compactedTurnText(view: Pick<CompactionView, "summary" | "plan" | "changedFiles">): string {
  return [
    "[Earlier steps of this task were compacted. Your summary of them:]",
    view.summary.trim(),
    "",
    "[Current plan (the latest todo, verbatim):]",
    view.plan ?? "(no plan was made)",
    "",
    "[Files changed so far:]",
    view.changedFiles.length > 0 ? view.changedFiles.map((path) => `- ${path}`).join("\n") : "(none)",
    "",
    "[The last step follows as it was. Continue the task from there.]",
  ].join("\n");
}

/**
 * The first step worth keeping verbatim at the end of `path`: the assistant turn whose calls the trailing tool
 * results answer. Null when the path does not end on a completed step (nothing to compact around yet).
 */
export function lastCompletedStep(path: readonly StoredMessage[]): StoredMessage | null {
  let i = path.length - 1;
  let results = 0;
  while (i >= 0 && path[i]!.role === "tool") {
    i--;
    results++;
  }
  const step = path[i];
  if (!step || results === 0 || step.role !== "assistant" || step.toolCalls.length !== results) return null;
  return step;
}

/** The latest `todo` plan in `path`, as the tool returned it. */
export function latestPlan(path: readonly StoredMessage[]): string | null {
  const last = path.findLast((m) => m.role === "tool" && m.toolName === "todo" && m.error === undefined);
  return last?.content ?? null;
}

/**
 * The branch the model sees once `compaction` applies to `path` (root→leaf): its system messages, the task
 * (the last user message before the kept step), the summary as a user turn, then the kept step and everything
 * after the summary, unchanged, reasoning included. A path the compaction is not on is returned as it is.
 */
export function compactedPath(path: readonly StoredMessage[], compaction: CompactionView | null): StoredMessage[] {
  if (!compaction) return [...path];
  const summaryAt = path.findIndex((m) => m.id === compaction.summaryMessageId);
  const keptAt = path.findIndex((m) => m.id === compaction.keptFromMessageId);
  if (summaryAt < 0 || keptAt < 0 || keptAt > summaryAt) return [...path];
  const summaryMessage = path[summaryAt]!;
  const taskAt = path.slice(0, keptAt).findLastIndex((m) => m.role === "user");
  const head = path.slice(0, keptAt).filter((m, i) => m.role === "system" || i === taskAt);
  const turn: StoredMessage = {
    ...summaryMessage,
    id: `${summaryMessage.id}:compacted`,
    role: "user",
    content: compactedTurnText(compaction),
    reasoning: "",
    toolCalls: [],
    status: "complete",
  };
  delete turn.error;
  delete turn.stats;
  return [...head, turn, ...path.slice(keptAt, summaryAt), ...path.slice(summaryAt + 1)];
}

export type ResumePoint = { ok: true; messageId: string } | { ok: false; reason: "finished" | "empty"; message: string };

/**
 * Where an interrupted run goes on from: the last completed step of `path` (every call of it answered), the
 * task itself, or a compaction summary (`summaryIds`). A step cut off mid-way (its answer unfinished, or some of
 * its calls without results) is dropped from the prompt and generated again; its stored messages stay.
 */
export function resumePoint(path: readonly StoredMessage[], summaryIds: ReadonlySet<string> = new Set()): ResumePoint {
  let end = path.length;
  for (;;) {
    while (end > 0 && path[end - 1]!.role === "assistant" && path[end - 1]!.status !== "complete") end--;
    const last = path[end - 1];
    if (!last || last.role === "system") return { ok: false, reason: "empty", message: "This conversation has no task to resume." };
    if (last.role === "user") return { ok: true, messageId: last.id };
    if (last.role === "assistant") {
      if (summaryIds.has(last.id)) return { ok: true, messageId: last.id };
      if (last.toolCalls.length === 0) return { ok: false, reason: "finished", message: "The run already finished with an answer; start a new task instead." };
      end--;
      continue;
    }
    const head = path.slice(0, end);
    const step = lastCompletedStep(head);
    if (step) return { ok: true, messageId: last.id };
    // Some calls of this step have no result: go back to before the step.
    while (end > 0 && path[end - 1]!.role === "tool") end--;
    end--;
  }
}

/** One step's budget as the agent view and `m2d agent` show it: "step 3 · context 5,912 / 16,384 (36%) · 170 evaluated". */
export function formatBudget(budget: { step: number; promptTokens: number; evaluatedTokens: number; contextSize: number | null; compacted: boolean }): string {
  const used = budget.promptTokens.toLocaleString("en-US");
  const context =
    budget.contextSize === null
      ? `context ${used} tokens`
      : `context ${used} / ${budget.contextSize.toLocaleString("en-US")} (${Math.round((100 * budget.promptTokens) / budget.contextSize)}%)`;
  return `step ${budget.step} · ${context} · ${budget.evaluatedTokens.toLocaleString("en-US")} evaluated${budget.compacted ? " · compacted history" : ""}`;
}
