import { createHash } from "node:crypto";
import { mcpServerKey } from "../../../app/agent/mcp-config";
import type { McpToolName } from "../../../app/agent/types";

/** The longest tool name offered to the model (OpenAI's function-name limit, which M2's tooling follows). */
export const MAX_TOOL_NAME = 64;

/** Letters, digits, `_` and `-` only: safe inside `<invoke name="...">` and in every tool-name rule we know of. */
function sanitise(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * `mcp__<server>__<tool>`, sanitised, with a short hash where it had to be cut to length. Server names
 * never hold `__` (mcp-config.ts), so the first `__` after the prefix ends the server's part.
 */
export function mcpToolName(server: string, tool: string): McpToolName {
  const name = `mcp__${mcpServerKey(server)}__${sanitise(tool)}`;
  if (name.length <= MAX_TOOL_NAME) return name as McpToolName;
  const hash = createHash("sha256").update(`${server}\0${tool}`).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}` as McpToolName;
}
