import { z } from "zod";
import type { AlwaysAllow } from "../agent/always-allow";
import { McpConfigFileSchema } from "../agent/mcp-config";
import { POLICY_MODES, TOOL_NAMES, type McpToolName } from "../agent/types";
import { ConversationGroupSchema } from "../chat/types";
import { ContextOverflowDetailsSchema } from "./context-overflow";
import { McpConfigProblemSchema } from "./mcp-problem";

/** The agent workspace's part of the contract. */

const Id = z.string().min(1).max(64);

export const PolicyModeSchema = z.enum(POLICY_MODES);

/** A built-in tool, an MCP tool (`mcp__server__tool`) or all of a server's tools (`mcp__server__*`). */
const AllowedToolSchema = z.union([z.enum(TOOL_NAMES), z.string().regex(/^mcp__[\w-]{1,64}__(?:[\w-]{1,128}|\*)$/) as z.ZodType<McpToolName>]);

/** Share of the context a step's prompt may fill before the history is compacted (issue 17). */
const CompactAtSchema = z.number().min(0.3).max(0.95);
export const DEFAULT_COMPACT_AT = 0.8;

/** The command best-of-N runs on each attempt (issue 17); it runs in the agent's sandbox like run_command. */
export const TestCommandTextSchema = z.string().trim().min(1).max(1000);

/** What the user chose for one workspace; everything risky is off until turned on. */
export const WorkspaceSettingsSchema = z.object({
  mode: PolicyModeSchema.default("ask"),
  /** "Always allow" per tool. It never lifts Read-only mode or the protected paths. */
  allowedTools: z.array(AllowedToolSchema).max(500).default([]),
  /** "Always allow" per command (`npm test`, `npm run *`); every part of a chain must match one. */
  allowedCommands: z.array(z.string().min(1).max(1000)).max(500).default([]),
  /** run_command may reach the network (the sandbox shares the host's). */
  network: z.boolean().default(false),
  /** Where no OS sandbox exists, run_command may still run, unsandboxed. */
  allowUnsandboxed: z.boolean().default(false),
  fetch: z
    .object({ enabled: z.boolean().default(false), allowedHosts: z.array(z.string().min(1).max(253)).max(500).default([]) })
    .default({ enabled: false, allowedHosts: [] }),
  /** Compact the run's history when the next step's prompt would pass this share of the context; null: never. */
  compactAt: CompactAtSchema.nullable().default(DEFAULT_COMPACT_AT),
  /** Best-of-N's test command for this workspace; null: detected from package.json, pyproject.toml, a Makefile… */
  testCommand: TestCommandTextSchema.nullable().default(null),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;

export const WorkspaceSettingsPatchSchema = z
  .object({
    mode: PolicyModeSchema,
    allowedTools: z.array(AllowedToolSchema).max(500),
    allowedCommands: z.array(z.string().min(1).max(1000)).max(500),
    network: z.boolean(),
    allowUnsandboxed: z.boolean(),
    fetch: z.object({ enabled: z.boolean(), allowedHosts: z.array(z.string().min(1).max(253)).max(500) }).partial(),
    compactAt: CompactAtSchema.nullable(),
    testCommand: TestCommandTextSchema.nullable(),
  })
  .partial()
  .strict();
export type WorkspaceSettingsPatch = z.infer<typeof WorkspaceSettingsPatchSchema>;

/** What "Always allow" would save (app/agent/always-allow.ts), shown before saving and saved exactly. */
const AlwaysAllowSchema: z.ZodType<AlwaysAllow> = z.union([
  z.object({ ok: z.literal(true), entries: z.array(z.string()) }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

export const AgentDecisionSchema = z.object({
  kind: z.enum(["allow", "ask", "deny"]),
  tool: z.string(),
  reason: z.string(),
  action: z.string(),
  where: z.string(),
  /** On "ask" only. */
  alwaysAllow: AlwaysAllowSchema.optional(),
});
export type AgentDecision = z.infer<typeof AgentDecisionSchema>;

export const ToolRunRowSchema = z.object({
  toolMessageId: z.string().nullable(),
  callId: z.string(),
  tool: z.string(),
  decision: z.enum(["allow", "ask", "deny"]).nullable(),
  decidedBy: z.enum(["policy", "user", "none"]),
  approved: z.boolean(),
  action: z.string().nullable(),
  ok: z.boolean().nullable(),
  checkpointId: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type ToolRunRow = z.infer<typeof ToolRunRowSchema>;

/** How full the context is at one step: the prompt the step was given against the loaded context. */
export const AgentBudgetSchema = z.object({
  step: z.number().int().min(1),
  promptTokens: z.number().int().nonnegative(),
  /** Of those, tokens the engine computed (the rest came from its KV cache). */
  evaluatedTokens: z.number().int().nonnegative(),
  generatedTokens: z.number().int().nonnegative(),
  /** null: no model was loaded to say. */
  contextSize: z.number().int().positive().nullable(),
  /** The step ran on a compacted history. */
  compacted: z.boolean(),
});
export type AgentBudget = z.infer<typeof AgentBudgetSchema>;

/**
 * One compaction of an agent run's history: the model's own summary (stored as its assistant message),
 * with the plan and the changed files carried over verbatim. The messages it stands for stay stored.
 */
export const CompactionSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** The assistant message holding the summary. */
  summaryMessageId: z.string(),
  /** The first message kept verbatim after the summary (the step the loop continues from). */
  keptFromMessageId: z.string(),
  summary: z.string(),
  /** The latest `todo` plan as its tool output, verbatim; null when the run has none. */
  plan: z.string().nullable(),
  changedFiles: z.array(z.string()),
  /** The prompt that would have been sent without compacting, and the context it had to fit. */
  promptTokensBefore: z.number().int().nonnegative(),
  contextSize: z.number().int().positive(),
  trigger: z.enum(["threshold", "manual"]),
  createdAt: z.number().int(),
});
export type Compaction = z.infer<typeof CompactionSchema>;

export const PendingApprovalSchema = z.object({
  approvalId: z.string(),
  conversationId: z.string(),
  callId: z.string(),
  decision: AgentDecisionSchema,
});
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

/** One file change the agent made: the text before (from its checkpoint) and after (what the call wrote). */
export const FileChangeSchema = z.object({
  checkpointId: z.string(),
  callId: z.string(),
  tool: z.string(),
  path: z.string(),
  /** null: the file did not exist (before) or does not exist now (after). */
  before: z.string().nullable(),
  after: z.string().nullable(),
  /** A side over the size cap, not UTF-8 text, or refused by the path guard now: its text is left out. */
  omitted: z.enum(["too_large", "binary", "unreadable"]).nullable(),
  at: z.number().int(),
});
export type FileChange = z.infer<typeof FileChangeSchema>;

/** A changed file as it is now (null: it does not exist). */
export const ChangedFileNowSchema = z.object({
  path: z.string(),
  text: z.string().nullable(),
  omitted: z.enum(["too_large", "binary", "unreadable"]).nullable(),
});
export type ChangedFileNow = z.infer<typeof ChangedFileNowSchema>;

export const McpServerStatusSchema = z.object({
  name: z.string(),
  source: z.enum(["app", "workspace"]),
  transport: z.enum(["stdio", "http"]),
  sandboxed: z.boolean(),
  /**
   * configured: not started (disabled, or a sandboxed server listed without a workspace); unapproved:
   * a workspace's server whose .m2d/mcp.json the user has not approved (agent.approveWorkspaceMcp).
   */
  state: z.enum(["connected", "failed", "exited", "closed", "configured", "unapproved"]),
  error: z.string().nullable(),
  where: z.string(),
  tools: z.array(z.object({ name: z.string(), remoteName: z.string(), description: z.string(), readOnlyHint: z.boolean() })),
  warnings: z.array(z.string()),
});
export type McpServerStatus = z.infer<typeof McpServerStatusSchema>;

/** Why an MCP call failed (details.reason) lives with the config problems in ./mcp-problem. */
export { McpConfigProblemSchema, McpProblemDetailsSchema, mcpProblemDetails, type McpProblemDetails } from "./mcp-problem";

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in lowercase hex");

/** A workspace's .m2d/mcp.json as the user approves it: the hash of its bytes and everything it would start. */
export const WorkspaceMcpConsentSchema = z.object({
  /** The workspace's real path. */
  workspace: z.string(),
  file: z.string(),
  /** null: there is no file, or it was refused (problems say why); nothing to approve. */
  sha256: Sha256Schema.nullable(),
  /** Whether the user approved exactly this content: only then do its servers start. */
  approved: z.boolean(),
  servers: z.array(z.object({ name: z.string(), commandLine: z.string(), network: z.boolean(), disabled: z.boolean() })),
  problems: z.array(McpConfigProblemSchema),
});
export type WorkspaceMcpConsent = z.infer<typeof WorkspaceMcpConsentSchema>;

export const agentMethods = {
  /** Starts (or continues, with conversationId) an agent run on a workspace folder. */
  "agent.start": {
    params: z
      .object({
        workspace: z.string().min(1).max(4096),
        task: z.string().min(1).max(1_000_000),
        conversationId: Id.optional(),
        /** Default: the workspace's own mode (Ask for a new one). */
        mode: PolicyModeSchema.optional(),
        maxSteps: z.number().int().min(1).max(10_000).default(100),
      })
      .strict(),
    result: z.object({ conversationId: Id }),
  },
  "agent.approve": {
    /** `always`: also allow this tool (or these commands) in this workspace from now on. */
    /** `reason`, with a decline: told to the model in the tool result. */
    params: z.object({ approvalId: Id, approved: z.boolean(), always: z.boolean().default(false), reason: z.string().max(4000).optional() }).strict(),
    result: z.object({}),
  },
  /** Picks an interrupted run (a quit, a crash) up again from its last completed step. */
  "agent.resume": {
    params: z
      .object({
        conversationId: Id,
        maxSteps: z.number().int().min(1).max(10_000).default(100),
        /** Default: the workspace's own mode (a mode given only to the interrupted run is not stored). */
        mode: PolicyModeSchema.optional(),
      })
      .strict(),
    result: z.object({ conversationId: Id, resumedFrom: Id }),
  },
  /** Compacts the running loop's history before its next step (refused when no loop runs). */
  "agent.compact": { params: z.object({ conversationId: Id }).strict(), result: z.object({}) },
  /** The conversation's compactions, oldest first. */
  "agent.compactions": { params: z.object({ conversationId: Id }).strict(), result: z.object({ compactions: z.array(CompactionSchema) }) },
  "agent.stop": { params: z.object({ conversationId: Id }).strict(), result: z.object({}) },
  "agent.toolRuns": { params: z.object({ conversationId: Id }).strict(), result: z.object({ runs: z.array(ToolRunRowSchema) }) },
  "agent.workspaces": { params: z.object({}).strict(), result: z.object({ recent: z.array(z.string()) }) },
  "agent.workspaceSettings": { params: z.object({ workspace: z.string().min(1).max(4096) }).strict(), result: WorkspaceSettingsSchema },
  "agent.updateWorkspaceSettings": {
    params: z.object({ workspace: z.string().min(1).max(4096), patch: WorkspaceSettingsPatchSchema }).strict(),
    result: WorkspaceSettingsSchema,
  },
  /** Whether a loop runs for this conversation, and the approvals it waits on (a reloaded UI shows them again). */
  "agent.state": {
    params: z.object({ conversationId: Id }).strict(),
    result: z.object({ running: z.boolean(), approvals: z.array(PendingApprovalSchema) }),
  },
  /** Every file change in this conversation, oldest first, with before/after text from the checkpoints. */
  "agent.changes": {
    params: z.object({ conversationId: Id }).strict(),
    result: z.object({ changes: z.array(FileChangeSchema), files: z.array(ChangedFileNowSchema) }),
  },
  /** Puts the files of one checkpoint back as they were before that change (a created file is deleted). */
  "agent.revert": {
    params: z.object({ conversationId: Id, checkpointId: z.string().min(1).max(64) }).strict(),
    result: z.object({ restored: z.array(z.string()), removed: z.array(z.string()) }),
  },
  /** An HTML file of the workspace, for the sandboxed preview (read through the path guard, size-capped). */
  "agent.artifact": {
    params: z.object({ conversationId: Id, path: z.string().min(1).max(4096) }).strict(),
    result: z.object({ path: z.string(), html: z.string() }),
  },
  /** A URL on the artifact origin that serves this HTML file (scripts run there); null where there is none (srcdoc then). */
  "agent.artifactUrl": {
    params: z.object({ conversationId: Id, path: z.string().min(1).max(4096) }).strict(),
    result: z.object({ url: z.string().url().nullable() }),
  },
  /** The desktop app's native folder dialog (refused elsewhere: the browser UI takes a typed path). null: cancelled. */
  "agent.pickWorkspace": { params: z.object({}).strict(), result: z.object({ path: z.string().nullable() }) },
  /** Agent conversations for the sidebar, grouped by day like chat.list (which lists chats only). */
  "agent.conversations": { params: z.object({}).strict(), result: z.object({ groups: z.array(ConversationGroupSchema) }) },
  /** MCP servers a run in `workspace` would get (app-level, then the workspace's approved ones), each started once to list its tools. */
  "agent.mcpServers": {
    params: z.object({ workspace: z.string().min(1).max(4096).optional() }).strict(),
    result: z.object({
      appConfigFile: z.string(),
      /** The app-level file as it is on disk, for editing; null when there is none. */
      appConfigText: z.string().nullable(),
      workspaceConfigFile: z.string().nullable(),
      servers: z.array(McpServerStatusSchema),
      problems: z.array(McpConfigProblemSchema),
    }),
  },
  /** The workspace's .m2d/mcp.json for the user to approve: each server's whole command line and the file's sha256. */
  "agent.mcpConsent": { params: z.object({ workspace: z.string().min(1).max(4096) }).strict(), result: WorkspaceMcpConsentSchema },
  /** Lets the servers of exactly this content (its sha256, as shown) start; refused when the file changed since. */
  "agent.approveWorkspaceMcp": {
    params: z.object({ workspace: z.string().min(1).max(4096), sha256: Sha256Schema }).strict(),
    result: WorkspaceMcpConsentSchema,
  },
  "agent.revokeWorkspaceMcp": { params: z.object({ workspace: z.string().min(1).max(4096) }).strict(), result: WorkspaceMcpConsentSchema },
  /** Replaces the app-level mcp.json; refused as a whole, naming each bad server, when any entry is invalid. */
  "agent.saveMcpConfig": { params: z.object({ config: McpConfigFileSchema }).strict(), result: z.object({ file: z.string() }) },
} as const;

/**
 * Why a run ended. context_overflow: one step alone no longer fits the context, so compaction cannot help
 * (the run ends instead of compacting at every step).
 */
export const AgentStopReasonSchema = z.enum(["answered", "max_steps", "repeated_call", "aborted", "error", "context_overflow"]);
export type AgentStopReason = z.infer<typeof AgentStopReasonSchema>;

export const agentEventSchemas = [
  z.object({ type: z.literal("agent.approval"), approvalId: z.string(), conversationId: z.string(), decision: AgentDecisionSchema, callId: z.string().optional() }),
  z.object({ type: z.literal("agent.tool_run"), conversationId: z.string(), run: ToolRunRowSchema }),
  z.object({
    type: z.literal("agent.done"),
    conversationId: z.string(),
    reason: AgentStopReasonSchema,
    explanation: z.string(),
    steps: z.number().int(),
    /** With context_overflow: the prompt's size, the context's, and the planner's context to reload with (as a chat's). */
    overflow: ContextOverflowDetailsSchema.optional(),
  }),
  z.object({ type: z.literal("agent.budget"), conversationId: z.string(), budget: AgentBudgetSchema }),
  z.object({ type: z.literal("agent.compacted"), conversationId: z.string(), compaction: CompactionSchema }),
  /** Something the user should know about a run that is not a step: an MCP server that did not start, a bad mcp.json. */
  z.object({ type: z.literal("agent.notice"), conversationId: z.string(), message: z.string() }),
] as const;
