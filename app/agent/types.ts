import type { ToolName } from "./tool-definitions";

/** The built-in tools are defined, and their names listed, in tool-definitions.ts. */
export { TOOL_NAMES, isToolName } from "./tool-definitions";
export type { ToolName } from "./tool-definitions";

/** A tool an MCP server offers, as the model sees it: `mcp__<server>__<tool>` (main/agent/mcp/names.ts). */
export type McpToolName = `mcp__${string}`;
/** Any tool in the agent's catalog. */
export type AgentToolName = ToolName | McpToolName;

export function isMcpToolName(name: string): name is McpToolName {
  return name.startsWith("mcp__");
}

/**
 * ask: reads run, writes and commands ask (default).
 * auto_edit: reads and edits run, commands ask.
 * full_auto: everything runs, commands inside the sandbox.
 * read_only: writes and commands are refused.
 */
export const POLICY_MODES = ["ask", "auto_edit", "full_auto", "read_only"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];
