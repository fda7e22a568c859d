import { join } from "node:path";
import type { ToolRunRow } from "../../app/contract/agent-api";
import type { PolicyMode } from "../../app/agent/types";
import { AppError, type AppEvent } from "../../app/contract";
import { openRunToolbox } from "../agent/mcp/service";
import { createToolContext } from "../agent/tools/context";
import { resolveWorkspaceRoot } from "../agent/workspace";
import type { Db } from "../storage/database";
import { runAgentLoop, type AgentOutcome } from "./agent-loop";
import type { ChatService } from "./chat-service";

const RECENT_KEY = "agent.recentWorkspaces";

function agentSystemPrompt(workspace: string): string {
  return [
    "You are M2, an autonomous coding agent working in the user's workspace folder.",
    `The workspace is ${workspace}; tool paths are relative to it.`,
    "Think before each step, call tools to inspect and change files, and answer when the task is done.",
  ].join("\n");
}

interface Run {
  controller: AbortController;
  approvals: Map<string, (approved: boolean) => void>;
  done: Promise<AgentOutcome>;
}

/** Agent conversations: one loop per conversation, approvals routed to whichever UI answers first. */
export class AgentService {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly db: Db,
    private readonly chat: ChatService,
    private readonly dataDir: string,
    private readonly publish: (event: AppEvent) => void,
  ) {}

  async start(options: { workspace: string; task: string; conversationId?: string; mode: PolicyMode; maxSteps: number; repeatLimit?: number }) {
    const workspace = await resolveWorkspaceRoot(options.workspace);
    const conversation = options.conversationId
      ? this.chat.repo.getConversation(options.conversationId)
      : this.chat.repo.createConversation({ kind: "agent", workspace, settings: { systemPrompt: agentSystemPrompt(workspace) } });
    if (conversation.kind !== "agent") throw new AppError("bad_request", "That conversation is not an agent conversation.", { conversationId: conversation.id });
    if (this.runs.has(conversation.id)) throw new AppError("engine_busy", "The agent is already working in this conversation.", { conversationId: conversation.id });
    this.rememberWorkspace(workspace);

    const userMessage = this.chat.repo.appendMessage(conversation.id, { role: "user", content: options.task });
    this.publish({ type: "chat.conversations_changed" });
    const controller = new AbortController();
    const approvals = new Map<string, (approved: boolean) => void>();
    const tools = await createToolContext({ workspace, checkpointDir: join(this.dataDir, "checkpoints", conversation.id), signal: controller.signal });
    // The run's MCP servers start with it (without holding up this call) and are closed when it ends, however it ends.
    const mcpReady = openRunToolbox({ dataDir: this.dataDir, workspace, sandbox: tools.sandbox, settings: tools.settings }).then((opened) => (tools.mcp = opened.toolbox));
    const done = mcpReady.then(() => runAgentLoop(
      {
        chat: this.chat,
        tools,
        policy: { mode: options.mode },
        maxSteps: options.maxSteps,
        ...(options.repeatLimit !== undefined ? { repeatLimit: options.repeatLimit } : {}),
        signal: controller.signal,
        approve: (request) =>
          new Promise<boolean>((resolve) => {
            if (controller.signal.aborted) return resolve(false);
            approvals.set(request.approvalId, resolve);
            this.publish({ type: "agent.approval", approvalId: request.approvalId, conversationId: request.conversationId, decision: request.decision });
          }),
        onToolRun: ({ conversationId, run }) => this.publish({ type: "agent.tool_run", conversationId, run }),
      },
      conversation.id,
      userMessage.id,
    ))
      .catch((error: unknown): AgentOutcome => ({ reason: "error", explanation: AppError.from(error).message, steps: 0, lastMessageId: null }))
      .then(async (outcome) => {
        await tools.mcp?.close();
        this.runs.delete(conversation.id);
        this.publish({ type: "agent.done", conversationId: conversation.id, reason: outcome.reason, explanation: outcome.explanation, steps: outcome.steps });
        return outcome;
      });
    this.runs.set(conversation.id, { controller, approvals, done });
    return { conversationId: conversation.id, done };
  }

  approve(approvalId: string, approved: boolean): void {
    for (const run of this.runs.values()) {
      const resolve = run.approvals.get(approvalId);
      if (resolve) {
        run.approvals.delete(approvalId);
        resolve(approved);
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
    for (const resolve of run.approvals.values()) resolve(false);
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

  recentWorkspaces(): string[] {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(RECENT_KEY) as { value: string } | undefined;
    if (!row) return [];
    try {
      const parsed: unknown = JSON.parse(row.value);
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === "string") : [];
    } catch {
      return [];
    }
  }

  private rememberWorkspace(workspace: string): void {
    const recent = [workspace, ...this.recentWorkspaces().filter((w) => w !== workspace)].slice(0, 10);
    this.db
      .prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
      .run(RECENT_KEY, JSON.stringify(recent), Date.now());
  }
}
