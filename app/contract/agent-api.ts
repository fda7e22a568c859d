import { z } from "zod";
import { McpConfigFileSchema } from "../agent/mcp-config";
import { POLICY_MODES } from "../agent/types";

/** The agent workspace's part of the contract. */

const Id = z.string().min(1).max(64);

export const PolicyModeSchema = z.enum(POLICY_MODES);

export const AgentDecisionSchema = z.object({
  kind: z.enum(["allow", "ask", "deny"]),
  tool: z.string(),
  reason: z.string(),
  action: z.string(),
  where: z.string(),
});

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

export const McpServerStatusSchema = z.object({
  name: z.string(),
  source: z.enum(["app", "workspace"]),
  transport: z.enum(["stdio", "http"]),
  sandboxed: z.boolean(),
  /** configured: not started (disabled, or a sandboxed server listed without a workspace). */
  state: z.enum(["connected", "failed", "exited", "closed", "configured"]),
  error: z.string().nullable(),
  where: z.string(),
  tools: z.array(z.object({ name: z.string(), remoteName: z.string(), description: z.string(), readOnlyHint: z.boolean() })),
  warnings: z.array(z.string()),
});
export type McpServerStatus = z.infer<typeof McpServerStatusSchema>;

export const McpConfigProblemSchema = z.object({ file: z.string(), server: z.string().nullable(), message: z.string() });

export const agentMethods = {
  /** Starts (or continues, with conversationId) an agent run on a workspace folder. */
  "agent.start": {
    params: z
      .object({
        workspace: z.string().min(1).max(4096),
        task: z.string().min(1).max(1_000_000),
        conversationId: Id.optional(),
        mode: PolicyModeSchema.default("ask"),
        maxSteps: z.number().int().min(1).max(10_000).default(100),
      })
      .strict(),
    result: z.object({ conversationId: Id }),
  },
  "agent.approve": {
    params: z.object({ approvalId: Id, approved: z.boolean() }).strict(),
    result: z.object({}),
  },
  "agent.stop": { params: z.object({ conversationId: Id }).strict(), result: z.object({}) },
  "agent.toolRuns": { params: z.object({ conversationId: Id }).strict(), result: z.object({ runs: z.array(ToolRunRowSchema) }) },
  "agent.workspaces": { params: z.object({}).strict(), result: z.object({ recent: z.array(z.string()) }) },
  /** MCP servers a run in `workspace` would get (app-level, overridden by the workspace's), each started once to list its tools. */
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
  /** Replaces the app-level mcp.json; refused as a whole, naming each bad server, when any entry is invalid. */
  "agent.saveMcpConfig": { params: z.object({ config: McpConfigFileSchema }).strict(), result: z.object({ file: z.string() }) },
} as const;

export const agentEventSchemas = [
  z.object({ type: z.literal("agent.approval"), approvalId: z.string(), conversationId: z.string(), decision: AgentDecisionSchema }),
  z.object({ type: z.literal("agent.tool_run"), conversationId: z.string(), run: ToolRunRowSchema }),
  z.object({
    type: z.literal("agent.done"),
    conversationId: z.string(),
    reason: z.enum(["answered", "max_steps", "repeated_call", "aborted", "error"]),
    explanation: z.string(),
    steps: z.number().int(),
  }),
] as const;
