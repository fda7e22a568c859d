/** Tool names the agent exposes to the model; the executors live in main/agent/tools. */
export const TOOL_NAMES = [
  "list_files",
  "read_file",
  "write_file",
  "edit_file",
  "search",
  "run_command",
  "fetch_url",
  "todo",
  "check_page",
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

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
