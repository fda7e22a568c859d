import { mcpServerKey } from "./mcp-config";
import type { Decision, DecisionKind, PolicySettings } from "./policy";
import type { McpToolName } from "./types";

/** A call to a tool an MCP server offers, as the policy sees it. */
export interface McpToolRequest {
  tool: "mcp";
  name: McpToolName;
  server: string;
  /** The tool's own name on its server. */
  remoteName: string;
  /** The server's readOnlyHint annotation: its own claim, which M2 cannot verify. */
  readOnlyHint: boolean;
  /** Exactly what will be called: `server.tool {arguments}`. */
  action: string;
  /** Where it runs: the server process (sandboxed or not) or its URL. */
  where: string;
}

/**
 * MCP tools run code that M2 did not write and cannot inspect, so they never run unasked in Ask or
 * Auto-edit mode unless the user allowlisted them (by name, or `mcp__<server>__*` for a whole server).
 * Read-only mode refuses them, except tools their server marks readOnlyHint: since that is the
 * server's word and not something the sandbox enforces, those still ask, even when allowlisted.
 * Full auto runs them.
 */
export function decideMcp(request: McpToolRequest, settings: PolicySettings): Decision {
  const result = (kind: DecisionKind, reason: string): Decision => ({ kind, tool: request.name, reason, action: request.action, where: request.where });
  if (settings.mode === "read_only") {
    return request.readOnlyHint
      ? result("ask", "read-only mode: the server says this tool only reads, but M2 cannot check that")
      : result("deny", "read-only mode refuses MCP tools that their server does not mark read-only");
  }
  if (mcpToolAllowed(settings, request)) return result("allow", `${request.name} is always allowed`);
  if (settings.mode === "full_auto") return result("allow", "full auto runs MCP tools");
  return result("ask", "MCP tools run code outside M2's control and need your approval");
}

/**
 * An allowlist entry is the tool's exact name, or `mcp__<server>__*` for the server whose name is
 * exactly `<server>`; an entry whose `<server>` part (up to the first `__`) is another server never
 * matches, so a server `gh__x` or `gh_x` does not inherit what was allowed for `gh`.
 */
function mcpToolAllowed(settings: PolicySettings, request: McpToolRequest): boolean {
  const server = mcpServerKey(request.server);
  return (settings.allowedTools ?? []).some((entry) => {
    const named = /^mcp__(.+?)__/.exec(entry)?.[1];
    if (named !== undefined && named !== server) return false;
    return entry === request.name || entry === `mcp__${server}__*`;
  });
}
