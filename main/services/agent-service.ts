import { join } from "node:path";
import type { ChangedFileNow, FileChange, PendingApproval, ToolRunRow } from "../../app/contract/agent-api";
import type { AgentToolName, PolicyMode } from "../../app/agent/types";
import { AppError, type AppEvent } from "../../app/contract";
import { McpConsentStore } from "../agent/mcp/consent";
import { openRunToolbox } from "../agent/mcp/service";
import { createToolContext } from "../agent/tools/context";
import type { ApprovalAnswer } from "../agent/tools/registry";
import { resolveWorkspaceRoot } from "../agent/workspace";
import { WorkspaceSettingsStore } from "../agent/workspace-settings";
import type { PolicySettings } from "../../app/agent/policy";
import type { AgentDecision } from "../../app/contract/agent-api";
import { isMcpToolName, isToolName } from "../../app/agent/types";
import { alwaysAllowedByCommands } from "../../app/agent/tool-definitions";
import type { Db } from "../storage/database";
import { revertCheckpoint, type RevertResult } from "../agent/tools/checkpoint";
import { listFileChanges, readArtifact } from "./agent-changes";
import { runAgentLoop, type AgentOutcome } from "./agent-loop";
import type { ContextMeter } from "./agent-compaction";
import { CompactionStore } from "../agent/compactions";
import { resumePoint } from "../../app/agent/compaction";
import type { Compaction } from "../../app/contract/agent-api";
import type { ChatService } from "./chat-service";
import { readSetting, writeSetting } from "../storage/settings-table";

const RECENT_KEY = "agent.recentWorkspaces";

function agentSystemPrompt(workspace: string): string {
  return [
    "You are M2, an autonomous coding agent working in the user's workspace folder.",
    `The workspace is ${workspace}; tool paths are relative to it.`,
    "Think before each step, call tools to inspect and change files, and answer when the task is done.",
  ].join("\n");
}

function parseArguments(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What the user should hear about a run's MCP servers: config problems, and servers that did not start. */
function mcpNotices(opened: Awaited<ReturnType<typeof openRunToolbox>>): string[] {
  const problems = opened.problems.map((p) => `MCP config ${p.file}${p.server ? ` (${p.server})` : ""}: ${p.message}`);
  const statuses = opened.toolbox.statuses();
  const failed = statuses
    .filter((s) => s.state === "failed")
    .map((s) => `MCP server ${s.name} did not start: ${s.error ?? "unknown error"}. Its tools are not available in this run.`);
  const warnings = statuses.flatMap((s) => s.warnings.map((w) => `MCP server ${s.name}: ${w}.`));
  return [...opened.notices, ...problems, ...failed, ...warnings];
}

/** An approval the loop waits on: what it asks (with what "Always allow" saves), and how to answer it. */
interface ApprovalWaiter {
  decision: AgentDecision;
  resolve: (answer: ApprovalAnswer) => void;
}

interface Run {
  workspace: string;
  /** Live: an "always allow" given during the run applies to its next calls too. */
  policy: PolicySettings;
  controller: AbortController;
  approvals: Map<string, ApprovalWaiter>;
  /** What each pending approval asks, so a UI that reloads can show it again. */
  pending: Map<string, PendingApproval>;
  done: Promise<AgentOutcome>;
  /** "Compact now" was asked: the loop takes it before its next step. */
  compactRequested: boolean;
}

/** Agent conversations: one loop per conversation, approvals routed to whichever UI answers first. */
export class AgentService {
  private readonly runs = new Map<string, Run>();
  /** Conversations whose start() is between its check and registering the run. */
  private readonly starting = new Set<string>();
  readonly workspaceSettings: WorkspaceSettingsStore;
  /** Which content of each workspace's .m2d/mcp.json the user approved. */
  readonly mcpConsent: McpConsentStore;
  readonly compactions: CompactionStore;

  constructor(
    private readonly db: Db,
    private readonly chat: ChatService,
    private readonly dataDir: string,
    private readonly publish: (event: AppEvent) => void,
    /** Measures prompts against the loaded context; without it runs show no context size and never compact. */
    private readonly context?: ContextMeter,
  ) {
    this.workspaceSettings = new WorkspaceSettingsStore(db);
    this.mcpConsent = new McpConsentStore(db);
    this.compactions = new CompactionStore(db);
  }

  /** `mode` overrides the workspace's own for this run (the CLI's --mode). */
  async start(options: { workspace: string; task: string; conversationId?: string; mode?: PolicyMode; maxSteps: number; repeatLimit?: number; seed?: number; remember?: boolean }) {
    // Claimed before the first await: two windows starting on one conversation must not both pass the check.
    const claimed = options.conversationId;
    if (claimed !== undefined) {
      if (this.runs.has(claimed) || this.starting.has(claimed)) throw new AppError("engine_busy", "The agent is already working in this conversation.", { conversationId: claimed });
      this.starting.add(claimed);
    }
    try {
      return await this.launch(options);
    } finally {
      if (claimed !== undefined) this.starting.delete(claimed);
    }
  }

  /**
   * Picks up a run a quit or a crash interrupted, from its last completed step (a step whose calls all have
   * results, or the task itself): a step cut off mid-way is generated again, the stored one kept as it was.
   */
  async resume(options: { conversationId: string; maxSteps: number; mode?: PolicyMode; repeatLimit?: number }) {
    const { conversationId } = options;
    if (this.runs.has(conversationId) || this.starting.has(conversationId)) {
      throw new AppError("engine_busy", "The agent is already working in this conversation.", { conversationId });
    }
    const { workspace, from } = this.resumable(conversationId);
    this.starting.add(conversationId);
    try {
      const started = await this.launch({ workspace, conversationId, maxSteps: options.maxSteps, resumeFrom: from, ...(options.mode && { mode: options.mode }), ...(options.repeatLimit !== undefined && { repeatLimit: options.repeatLimit }) });
      return { ...started, resumedFrom: from };
    } finally {
      this.starting.delete(conversationId);
    }
  }

  /**
   * The workspace and resume point of a run that can go on; a typed error for an unknown id (not_found), a chat,
   * or a run that already finished or has no task (bad_request). `m2d agent --resume` asks before loading a model.
   */
  resumable(conversationId: string): { workspace: string; from: string } {
    const workspace = this.workspaceOf(conversationId);
    const from = this.resumePointOf(conversationId);
    if (!from.ok) throw new AppError("bad_request", from.message, { conversationId, reason: from.reason });
    return { workspace, from: from.messageId };
  }

  /** Where `resume` would go on from in this conversation (the compaction summaries count as completed steps). */
  private resumePointOf(conversationId: string) {
    return resumePoint(this.chat.repo.listBranchPath(conversationId), new Set(this.compactions.list(conversationId).map((c) => c.summaryMessageId)));
  }

  /** Agent conversations that can go on (cut off by a quit, a crash, a stop or max steps; not running here, not ended by an answer), latest first: `m2d agent --list`. */
  interrupted(): Array<{ conversationId: string; title: string; workspace: string; updatedAt: number }> {
    return this.chat.repo
      .listConversations({ now: Date.now(), kind: "agent" })
      .flatMap((group) => group.conversations)
      .filter((c) => c.workspace !== undefined && !this.runs.has(c.id) && this.resumePointOf(c.id).ok)
      .toSorted((a, b) => b.updatedAt - a.updatedAt)
      .map((c) => ({ conversationId: c.id, title: c.title, workspace: c.workspace!, updatedAt: c.updatedAt }));
  }

  /** "Compact now": the running loop compacts its history before its next step. */
  requestCompaction(conversationId: string): void {
    const run = this.runs.get(conversationId);
    if (!run) throw new AppError("bad_request", "No agent run is working in this conversation; compaction happens between its steps.", { conversationId });
    run.compactRequested = true;
  }

  listCompactions(conversationId: string): Compaction[] {
    return this.compactions.list(conversationId);
  }

  private async launch(
    options: { workspace: string; conversationId?: string; mode?: PolicyMode; maxSteps: number; repeatLimit?: number; seed?: number; remember?: boolean } & ({ task: string } | { resumeFrom: string }),
  ) {
    const workspace = await resolveWorkspaceRoot(options.workspace);
    const settings = this.workspaceSettings.get(workspace);
    const conversation = options.conversationId
      ? this.chat.repo.getConversation(options.conversationId)
      : this.chat.repo.createConversation({ kind: "agent", workspace, settings: { systemPrompt: agentSystemPrompt(workspace), ...(options.seed !== undefined && { seed: options.seed }) } });
    if (conversation.kind !== "agent") throw new AppError("bad_request", "That conversation is not an agent conversation.", { conversationId: conversation.id });
    if (this.runs.has(conversation.id)) throw new AppError("engine_busy", "The agent is already working in this conversation.", { conversationId: conversation.id });
    // An attempt's copy is no workspace the user picked: it stays out of the recent list.
    if (options.remember !== false) this.rememberWorkspace(workspace);

    const startFrom = "task" in options ? this.chat.repo.appendMessage(conversation.id, { role: "user", content: options.task }).id : options.resumeFrom;
    this.publish({ type: "chat.conversations_changed" });
    const controller = new AbortController();
    const approvals = new Map<string, ApprovalWaiter>();
    const pending = new Map<string, PendingApproval>();
    const policy: PolicySettings = { mode: options.mode ?? settings.mode, allowedTools: settings.allowedTools, allowedCommands: settings.allowedCommands };
    const tools = await createToolContext({
      workspace,
      checkpointDir: this.checkpointDir(conversation.id),
      settings: { network: settings.network, allowUnsandboxed: settings.allowUnsandboxed, fetch: settings.fetch },
      signal: controller.signal,
    });
    // The run's MCP servers start with it (without holding up this call) and are closed when it ends, however it ends.
    const mcpReady = openRunToolbox({
      dataDir: this.dataDir,
      workspace,
      sandbox: tools.sandbox,
      consent: this.mcpConsent,
      mode: policy.mode,
      settings: tools.settings,
    }).then((opened) => {
      tools.mcp = opened.toolbox;
      for (const message of mcpNotices(opened)) this.publish({ type: "agent.notice", conversationId: conversation.id, message });
    });
    const done = mcpReady.then(() => runAgentLoop(
      {
        chat: this.chat,
        tools,
        policy,
        maxSteps: options.maxSteps,
        ...(options.repeatLimit !== undefined ? { repeatLimit: options.repeatLimit } : {}),
        signal: controller.signal,
        approve: (request) =>
          new Promise<ApprovalAnswer>((resolve) => {
            if (controller.signal.aborted) return resolve(false);
            const { approvalId, conversationId, callId, decision } = request;
            approvals.set(approvalId, {
              decision,
              resolve: (answer) => {
                pending.delete(approvalId);
                resolve(answer);
              },
            });
            pending.set(approvalId, { approvalId, conversationId, callId, decision });
            this.publish({ type: "agent.approval", approvalId, conversationId, decision, callId });
          }),
        onToolRun: ({ conversationId, run }) => this.publish({ type: "agent.tool_run", conversationId, run }),
        compactions: this.compactions,
        ...(this.context && { context: this.context }),
        compactAt: settings.compactAt,
        takeCompactRequest: () => {
          const run = this.runs.get(conversation.id);
          const asked = run?.compactRequested ?? false;
          if (run) run.compactRequested = false;
          return asked;
        },
        onBudget: (budget) => this.publish({ type: "agent.budget", conversationId: conversation.id, budget }),
        onCompacted: (compaction) => this.publish({ type: "agent.compacted", conversationId: conversation.id, compaction }),
        onNotice: (message) => this.publish({ type: "agent.notice", conversationId: conversation.id, message }),
      },
      conversation.id,
      startFrom,
    ))
      .catch((error: unknown): AgentOutcome => ({ reason: "error", explanation: AppError.from(error).message, steps: 0, lastMessageId: null }))
      .then(async (outcome) => {
        await tools.mcp?.close();
        this.runs.delete(conversation.id);
        this.publish({ type: "agent.done", conversationId: conversation.id, reason: outcome.reason, explanation: outcome.explanation, steps: outcome.steps, ...(outcome.overflow && { overflow: outcome.overflow }) });
        return outcome;
      });
    this.runs.set(conversation.id, { workspace, policy, controller, approvals, pending, done, compactRequested: false });
    return { conversationId: conversation.id, done };
  }

  /** A decline may say why (`reason`): the model reads it in the tool result. */
  async approve(approvalId: string, approved: boolean, always = false, reason?: string): Promise<void> {
    for (const run of this.runs.values()) {
      const pending = run.approvals.get(approvalId);
      if (pending) {
        if (approved && always) this.alwaysAllow(run, pending);
        run.approvals.delete(approvalId);
        pending.resolve(approved ? true : reason?.trim() ? { approved: false, reason: reason.trim() } : false);
        return;
      }
    }
    throw new AppError("not_found", "That approval is no longer pending.", { approvalId });
  }

  /** Aborts the loop: the generation stops, the running tool is killed, pending approvals are declined. */
  async stop(conversationId: string): Promise<void> {
    const run = this.runs.get(conversationId);
    if (!run) return;
    run.controller.abort();
    for (const pending of run.approvals.values()) pending.resolve(false);
    run.approvals.clear();
    await this.chat.stop(conversationId);
    await run.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.stop(id)));
  }

  toolRuns(conversationId: string): ToolRunRow[] {
    const rows = this.db
      .prepare("SELECT * FROM tool_runs WHERE conversation_id = ? ORDER BY started_at, rowid")
      .all(conversationId) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      toolMessageId: (r.tool_message_id as string | null) ?? null,
      callId: r.call_id as string,
      tool: r.tool as string,
      decision: (r.decision as ToolRunRow["decision"]) ?? null,
      decidedBy: r.decided_by as ToolRunRow["decidedBy"],
      approved: r.approved === 1,
      action: (r.action as string | null) ?? null,
      ok: r.ok === null ? null : r.ok === 1,
      checkpointId: (r.checkpoint_id as string | null) ?? null,
      durationMs: r.ended_at === null ? null : (r.ended_at as number) - (r.started_at as number),
    }));
  }

  /** Remembers an approval for the workspace, and for the rest of this run: exactly the entries the approval showed. */
  private alwaysAllow(run: Run, { decision }: ApprovalWaiter): void {
    const { tool, alwaysAllow } = decision;
    if (!alwaysAllow) throw new AppError("bad_request", `${tool} cannot be always allowed here.`, { reason: "not_always_allowable", tool });
    if (!alwaysAllow.ok) throw new AppError("bad_request", `This cannot be always allowed: ${alwaysAllow.reason}.`, { reason: "not_always_allowable", tool });
    // A tool's entry is its own name (toolEntries); anything else is not what this approval showed.
    const toolEntry = alwaysAllow.entries.length === 1 && alwaysAllow.entries[0] === tool && (isToolName(tool) || isMcpToolName(tool));
    const byCommands = alwaysAllowedByCommands(tool);
    if (!byCommands && !toolEntry) throw new AppError("bad_request", `${tool} cannot be always allowed.`, { reason: "not_always_allowable", tool });
    const settings =
      byCommands
        ? this.workspaceSettings.allowCommands(run.workspace, alwaysAllow.entries)
        : this.workspaceSettings.allowTool(run.workspace, tool as AgentToolName);
    run.policy.allowedTools = settings.allowedTools;
    run.policy.allowedCommands = settings.allowedCommands;
  }

  state(conversationId: string): { running: boolean; approvals: PendingApproval[] } {
    const run = this.runs.get(conversationId);
    return { running: run !== undefined, approvals: run ? [...run.pending.values()] : [] };
  }

  async changes(conversationId: string): Promise<{ changes: FileChange[]; files: ChangedFileNow[] }> {
    const rows = this.db
      .prepare("SELECT checkpoint_id, call_id, tool, arguments, ended_at FROM tool_runs WHERE conversation_id = ? AND checkpoint_id IS NOT NULL ORDER BY started_at, rowid")
      .all(conversationId) as Array<{ checkpoint_id: string; call_id: string; tool: string; arguments: string; ended_at: number | null }>;
    if (rows.length === 0) return { changes: [], files: [] };
    return listFileChanges({
      workspace: this.workspaceOf(conversationId),
      checkpointDir: this.checkpointDir(conversationId),
      calls: rows.map((r) => ({ checkpointId: r.checkpoint_id, callId: r.call_id, tool: r.tool, arguments: parseArguments(r.arguments), at: r.ended_at ?? 0 })),
    });
  }

  /** Only this conversation's checkpoints, and not while its loop could be writing the same files. */
  async revert(conversationId: string, checkpointId: string): Promise<RevertResult> {
    const workspace = this.workspaceOf(conversationId);
    if (this.runs.has(conversationId)) {
      throw new AppError("engine_busy", "The agent is working in this conversation; stop it before reverting.", { conversationId });
    }
    return revertCheckpoint({ workspace, checkpointDir: this.checkpointDir(conversationId), checkpointId });
  }

  artifact(conversationId: string, path: string): Promise<{ path: string; html: string }> {
    return readArtifact(this.workspaceOf(conversationId), path);
  }

  private checkpointDir(conversationId: string): string {
    return join(this.dataDir, "checkpoints", conversationId);
  }

  /** Where a conversation's checkpoints live (an applied attempt writes its own there). */
  checkpointDirOf(conversationId: string): string {
    return this.checkpointDir(conversationId);
  }

  trajectoryOf(conversationId: string) {
    return this.chat.repo.listBranchPath(conversationId);
  }

  /**
   * The agent conversation an applied attempt's writes belong to, in the real workspace: its checkpoints are what
   * the Changed-files panel lists and agent.revert puts back.
   */
  createApplyConversation(workspace: string, task: string): { conversationId: string; assistantMessageId: string } {
    const conversation = this.chat.repo.createConversation({ kind: "agent", workspace, settings: { systemPrompt: agentSystemPrompt(workspace) } });
    const user = this.chat.repo.appendMessage(conversation.id, { role: "user", content: task });
    const answer = this.chat.repo.appendMessage(conversation.id, { role: "assistant", parentId: user.id, content: "Applied the chosen attempt's changes to the workspace." });
    this.rememberWorkspace(workspace);
    this.publish({ type: "chat.conversations_changed" });
    return { conversationId: conversation.id, assistantMessageId: answer.id };
  }

  /** The conversation's workspace folder moved (an attempt's copy, parked once its run ended). */
  moveWorkspace(conversationId: string, workspace: string): void {
    if (this.runs.has(conversationId)) throw new AppError("engine_busy", "The agent is still working in this workspace.", { conversationId });
    this.chat.repo.moveWorkspace(conversationId, workspace);
  }

  workspaceOf(conversationId: string): string {
    const conversation = this.chat.repo.getConversation(conversationId);
    if (conversation.kind !== "agent" || !conversation.workspace) {
      throw new AppError("bad_request", "That conversation is not an agent conversation.", { conversationId });
    }
    return conversation.workspace;
  }

  recentWorkspaces(): string[] {
    const parsed = readSetting(this.db, RECENT_KEY);
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === "string") : [];
  }

  private rememberWorkspace(workspace: string): void {
    writeSetting(this.db, RECENT_KEY, [workspace, ...this.recentWorkspaces().filter((w) => w !== workspace)].slice(0, 10));
  }
}
