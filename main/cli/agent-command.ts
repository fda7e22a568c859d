import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POLICY_MODES, type PolicyMode } from "../../app/agent/types";
import { formatBudget } from "../../app/agent/compaction";
import { AppError, GpuChoiceSchema, type AppEvent } from "../../app/contract";
import type { AgentDecision } from "../../app/contract/agent-api";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { defaultDataDir } from "../paths";
import { distPath } from "./dist-paths";
import { answerPrinter, parseReasoningMode } from "./answer-printer";
import { attemptsCommand } from "./attempts-command";
import { formatToolOutput, writePreview } from "./agent-display";
import { parseApprovalAnswer, REASON_QUESTION } from "./approval-answer";
import { defineCommand, parseCommandArgs, usageLine } from "./command-spec";
import { resolveModelArg } from "./library-names";
import { reviewWorkspaceMcp } from "./mcp-consent";
import { stylerFor } from "./terminal";
import { openQuestions } from "./tty-questions";

export const agentSpec = defineCommand({
  name: "agent",
  summary: "run the agent on a folder: its steps, each tool's output, and in Ask mode a question before each change",
  positionals: '"task" | --resume ID | --list',
  details: [
    "--model is a GGUF file or a library name (owner/repo:QUANT, see m2d models).",
    "Approvals are asked on the terminal (/dev/tty when stdin or stderr is redirected): y = approve, a = approve and",
    "always allow (what it saves is shown first), n = decline and say why on the next line (or n REASON; the model",
    "reads the reason), anything else = decline. With no terminal, what needs approval is",
    "refused, never approved. --json prints the events instead and refuses approvals too.",
    "--resume ID goes on with an interrupted run (a quit, a crash, a kill) from its last completed step, in its own",
    "workspace; it needs the data folder the run was in (--data-dir or $M2D_DATA_DIR). --list shows the runs it can resume.",
  ].join("\n"),
  options: {
    workspace: { type: "string", value: "DIR", help: "the folder the agent works in (required)" },
    model: { type: "string", value: "MODEL", help: "the model: a GGUF file or a library name (required)" },
    mode: { type: "string", value: "ask|auto-edit|full-auto|read-only", help: "the policy for this run (default: the workspace's own, Ask at first)" },
    "max-steps": { type: "string", default: "100", value: "N", help: "stop after N model steps" },
    reasoning: { type: "string", default: "show", value: "stderr|show|hide", help: "where each step's reasoning goes" },
    json: { type: "boolean", default: false, help: "print the agent and generation events as JSON lines" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder for the run's history and library names (default: $M2D_DATA_DIR; else history in a fresh folder, names from the app's library)" },
    ctx: { type: "string", value: "N", help: "context size in tokens (default: the app's choice for this model)" },
    gpu: { type: "string", default: "auto", value: GpuChoiceSchema.options.join("|"), help: "compute backend" },
    "trust-workspace-mcp": { type: "boolean", default: false, help: "start the MCP servers of the workspace's .m2d/mcp.json without asking (this content of the file)" },
    resume: { type: "string", value: "ID", help: "go on with an interrupted run (its conversation id, as --list and the run's first line print it)" },
    list: { type: "boolean", default: false, help: "list the runs of the data folder that can be resumed, and exit" },
    attempts: { type: "string", value: "N", help: "best-of-N: N attempts (2-8), each in its own copy, tested, scored and ranked; then asks which to apply" },
    "test-command": { type: "string", value: "CMD", help: "with --attempts: the test command to run on each attempt, remembered for the workspace (default: the saved one, else detected)" },
    isolation: { type: "string", value: "copy|worktree", help: "with --attempts: git worktrees (a clean repo, the default there) or copies" },
    apply: { type: "string", value: "best", help: "with --attempts: apply the top-ranked attempt without asking" },
  },
});

/** The Ask question: what runs, where, why, and what "always" would save (exactly what gets saved). */
function approvalPrompt(decision: AgentDecision): string {
  const always = decision.alwaysAllow;
  const saves = !always
    ? ""
    : always.ok
      ? `\n  a = approve, and always allow in this workspace:${always.entries.map((entry) => `\n      ${entry}`).join("")}`
      : `\n  (cannot be always allowed: ${always.reason})`;
  return `\nAllow ${decision.tool}: ${decision.action}\n  in ${decision.where}\n  (${decision.reason})${saves}\n  n REASON = decline and tell the model why\n  [y/N${always?.ok ? "/a" : ""}] `;
}

/** The arguments of the call an approval is for, from the step's stored answer. */
function callArguments(backend: Backend, conversationId: string, callId: string | undefined): Record<string, unknown> | undefined {
  if (!callId) return undefined;
  try {
    const { messages } = backend.chat.view(conversationId, undefined, { limit: 4 });
    for (const { message } of messages.toReversed()) {
      const call = message.toolCalls.find((c) => c.id === callId);
      if (call) return call.arguments;
    }
  } catch {
    // no preview, the question still names the call
  }
  return undefined;
}

/** A tool's output (its stored tool message) as printed under its line, cut to a screenful. */
function toolOutput(backend: Backend, toolMessageId: string | null): string {
  if (!toolMessageId) return "";
  try {
    return formatToolOutput(backend.chat.repo.getMessage(toolMessageId).content);
  } catch {
    return "";
  }
}

/** `m2d agent --list`: the data folder's runs that can go on, latest first, one a line. */
async function listInterrupted(dataDir: string): Promise<void> {
  const backend = createBackend({ dataDir, spawnEngine: forkSpawner(distPath("engine/main.js")), log: () => undefined });
  try {
    const runs = backend.agent.interrupted();
    if (runs.length === 0) process.stdout.write("No agent run to resume.\n");
    for (const run of runs) process.stdout.write(`${run.conversationId}  ${new Date(run.updatedAt).toISOString().slice(0, 16).replace("T", " ")}  ${run.workspace}  ${run.title}\n`);
  } finally {
    await backend.close();
  }
}

/**
 * `m2d agent --workspace DIR --model MODEL "task"`: the app's agent loop from a terminal.
 * In Ask mode it asks here; with no terminal attached, what needs approval is refused.
 */
export async function agentCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(agentSpec, argv);
  const task = positionals.join(" ").trim();
  const resumeId = values.resume;
  if (values.list || resumeId !== undefined) {
    if (task) throw new AppError("bad_request", `--${values.list ? "list" : "resume"} takes no task: the run's own task goes on.`);
    if (!values["data-dir"] && !process.env.M2D_DATA_DIR) throw new AppError("bad_request", `--${values.list ? "list" : "resume"} needs the data folder the run was in: --data-dir DIR or $M2D_DATA_DIR.`);
  }
  if (values.list) return listInterrupted(values["data-dir"] ?? defaultDataDir());
  if (!values.model || (resumeId === undefined && (!values.workspace || !task))) {
    throw new AppError("bad_request", `Usage: ${usageLine(agentSpec)} (--model is required, and --workspace with a task)`);
  }
  // Without --mode, the workspace's own mode (Ask until the user changes it).
  const mode = values.mode?.replace("-", "_") as PolicyMode | undefined;
  if (mode !== undefined && !POLICY_MODES.includes(mode)) throw new AppError("bad_request", `--mode must be one of ask, auto-edit, full-auto, read-only.`);
  const maxSteps = Number(values["max-steps"]);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new AppError("bad_request", "--max-steps must be a positive integer.");
  const contextSize = values.ctx ? Number(values.ctx) : undefined;
  if (contextSize !== undefined && (!Number.isInteger(contextSize) || contextSize < 1)) throw new AppError("bad_request", `--ctx must be a positive integer, got "${values.ctx}".`);
  const gpu = GpuChoiceSchema.safeParse(values.gpu);
  if (!gpu.success) throw new AppError("bad_request", `--gpu must be one of ${GpuChoiceSchema.options.join(", ")}.`);
  const reasoningMode = parseReasoningMode(values.reasoning);
  const modelPath = resolveModelArg(values.model, values["data-dir"] ?? defaultDataDir());
  const dataDir = values["data-dir"] ?? (process.env.M2D_DATA_DIR ? defaultDataDir() : mkdtempSync(join(tmpdir(), "m2d-agent-")));
  if (values.attempts !== undefined) {
    return attemptsCommand({
      attempts: values.attempts, testCommand: values["test-command"], isolation: values.isolation, apply: values.apply,
      workspace: values.workspace!, task, modelPath, dataDir, mode, maxSteps, contextSize, gpu: gpu.data,
    });
  }
  const backend = createBackend({ dataDir, spawnEngine: forkSpawner(distPath("engine/main.js")), log: () => undefined });
  // A resumed run works in its own workspace; an unknown id or a finished run is refused before the model loads.
  let workspace: string;
  try {
    workspace = resumeId === undefined ? values.workspace! : backend.agent.resumable(resumeId).workspace;
  } catch (error) {
    await backend.close();
    throw error;
  }
  const print = (line: string) => process.stdout.write(line);
  const dim = stylerFor(process.stdout).dim;
  const terminal = values.json ? { interface: null, close: () => undefined } : openQuestions();
  const questions = terminal.interface ?? undefined;

  try {
    // Before the model loads, so the question comes at once.
    await reviewWorkspaceMcp({
      dataDir,
      workspace,
      consent: backend.agent.mcpConsent,
      trust: values["trust-workspace-mcp"],
      questions,
      write: (text) => process.stderr.write(text),
    });
    await backend.models.load(modelPath, { gpu: gpu.data, ...(contextSize ? { contextSize } : {}) });
    const printer = answerPrinter(reasoningMode);
    const done = new Promise<Extract<AppEvent, { type: "agent.done" }>>((resolve) => {
      backend.events.subscribe((event) => {
        if (values.json) {
          if (event.type.startsWith("agent.") || event.type === "generation.event") print(`${JSON.stringify(event)}\n`);
        } else if (event.type === "generation.event") {
          const e = event.event;
          if (e.type === "reasoning_delta") printer.reasoning(e.text);
          else if (e.type === "content_delta") printer.content(e.text);
          else if (e.type === "tool_call_completed") {
            printer.endLine();
            print(`→ ${e.name} ${JSON.stringify(e.arguments)}\n`);
          }
        } else if (event.type === "agent.tool_run") {
          const r = event.run;
          printer.endLine();
          print(`  ${r.ok ? "✓" : "✗"} ${r.tool} (${r.decidedBy === "user" ? (r.approved ? "approved by you" : "declined") : (r.decision ?? "refused")}, ${r.durationMs ?? 0} ms)\n`);
          print(dim(toolOutput(backend, r.toolMessageId)));
        } else if (event.type === "agent.budget") {
          printer.endLine();
          print(dim(`  ${formatBudget(event.budget)}\n`));
        } else if (event.type === "agent.compacted") {
          const c = event.compaction;
          printer.endLine();
          print(`  ⇣ history compacted (${c.promptTokensBefore.toLocaleString("en-US")} tokens would have passed ${Math.round(100 * (c.promptTokensBefore / c.contextSize))}% of ${c.contextSize.toLocaleString("en-US")}): the model's summary, the plan and ${c.changedFiles.length} changed file(s) carry on\n`);
        } else if (event.type === "agent.notice") {
          printer.endLine();
          print(`  ! ${event.message}\n`);
        }
        if (event.type === "agent.approval") {
          const { decision } = event;
          if (values.json) {
            // The events above say what was asked and refused; text here would break the JSON lines.
            void backend.agent.approve(event.approvalId, false);
            return;
          }
          printer.endLine();
          const args = callArguments(backend, event.conversationId, event.callId);
          const preview = args ? writePreview(workspace, decision.tool, args) : null;
          if (!questions) {
            print(`  ✗ ${decision.action} needs approval and no terminal is attached: refused.\n${preview ?? ""}`);
            void backend.agent.approve(event.approvalId, false);
            return;
          }
          void questions.question(`${preview ? `\n${preview}` : ""}${approvalPrompt(decision)}`).then(async (text) => {
            let answer = parseApprovalAnswer(text, decision.alwaysAllow?.ok === true);
            if (answer.kind === "ask_reason") answer = { kind: "decline", reason: await questions.question(REASON_QUESTION) };
            const approved = answer.kind === "approve";
            const always = answer.kind === "approve" && answer.always;
            const reason = answer.kind === "decline" ? answer.reason : undefined;
            backend.agent.approve(event.approvalId, approved, always, reason).catch((error: unknown) => {
              print(`  ✗ ${AppError.from(error).message}\n`);
              backend.agent.approve(event.approvalId, false).catch(() => undefined);
            });
          });
        }
        if (event.type === "agent.done") resolve(event);
      });
    });
    const started = resumeId === undefined
      ? await backend.agent.start({ workspace, task, maxSteps, ...(mode ? { mode } : {}) })
      : await backend.agent.resume({ conversationId: resumeId, maxSteps, ...(mode ? { mode } : {}) });
    if (!values.json) process.stderr.write(dim(`conversation ${started.conversationId}${resumeId === undefined ? "" : " (resumed)"} · m2d agent --resume ${started.conversationId} goes on after an interruption\n`));
    process.once("SIGINT", () => void backend.agent.stopAll());
    const outcome = await done;
    if (!values.json) {
      printer.endLine();
      if (outcome.reason !== "answered") print(`\n${outcome.explanation}\n`);
    }
    process.exitCode = outcome.reason === "answered" ? 0 : 1;
  } finally {
    terminal.close();
    await backend.close();
  }
}
