import { mcpError } from "./errors";
import type { McpServerStatus } from "../../../app/contract/agent-api";
import { isStdioEntry } from "../../../app/agent/mcp-config";
import type { McpServerConfig } from "../../../app/agent/mcp-config";
import type { McpToolRequest } from "../../../app/agent/mcp-policy";
import type { McpToolName } from "../../../app/agent/types";
import type { ToolOutput } from "../tools/output";
import type { M2ToolDefinition } from "../tools/schemas";
import { McpServerConnection } from "./connection";
import type { ConnectOptions } from "./connection";
import { mcpToolName } from "./names";
import { mcpResultText } from "./result";

export interface McpToolEntry {
  name: McpToolName;
  server: string;
  remoteName: string;
  description: string;
  parameters: Record<string, unknown>;
  readOnlyHint: boolean;
}

const MAX_DESCRIPTION = 2000;
const ACTION_ARGS_CHARS = 2000;

function parameters(schema: unknown): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null) return { type: "object", properties: {} };
  const { $schema: _schema, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** Tools one MCP server may add to the model's tool list. */
export const MAX_TOOLS_PER_SERVER = 40;

/**
 * The MCP servers of one agent run: started together when the run starts, their tools offered to the
 * model as `mcp__<server>__<tool>`, and all closed when the run ends. A server that fails to start is
 * left out (its status says why) and the others carry on.
 */
export class McpToolbox {
  private readonly byName = new Map<string, { entry: McpToolEntry; connection: McpServerConnection }>();

  private constructor(
    private readonly connections: McpServerConnection[],
    maxToolsPerServer = MAX_TOOLS_PER_SERVER,
  ) {
    for (const connection of connections) {
      // Every tool's schema goes into every step's prompt: a server offering hundreds would crowd out the task.
      if (connection.tools.length > maxToolsPerServer) {
        connection.warnings.push(
          `${connection.tools.length - maxToolsPerServer} of its ${connection.tools.length} tools are left out: a server may offer at most ${maxToolsPerServer} (the first ones are kept)`,
        );
      }
      for (const tool of connection.tools.slice(0, maxToolsPerServer)) {
        const name = mcpToolName(connection.config.name, tool.name);
        if (this.byName.has(name)) {
          connection.warnings.push(`tool ${tool.name} is left out: its name ${name} is taken by another server's tool`);
          continue;
        }
        const entry: McpToolEntry = {
          name,
          server: connection.config.name,
          remoteName: tool.name,
          description: (tool.description ?? tool.title ?? `${tool.name} from the ${connection.config.name} MCP server`).slice(0, MAX_DESCRIPTION),
          parameters: parameters(tool.inputSchema),
          readOnlyHint: tool.annotations?.readOnlyHint === true,
        };
        this.byName.set(name, { entry, connection });
      }
    }
  }

  static async open(servers: McpServerConfig[], options: ConnectOptions): Promise<McpToolbox> {
    return new McpToolbox(await Promise.all(servers.map((server) => McpServerConnection.connect(server, options))), options.maxToolsPerServer);
  }

  static empty(): McpToolbox {
    return new McpToolbox([]);
  }

  tool(name: string): McpToolEntry | undefined {
    return this.byName.get(name)?.entry;
  }

  /** For M2's `<tools>` block, next to the built-in tools. */
  definitions(): M2ToolDefinition[] {
    return [...this.byName.values()].map(({ entry }) => ({
      type: "function",
      function: { name: entry.name, description: `${entry.description} (MCP server: ${entry.server})`, parameters: entry.parameters },
    }));
  }

  /** What the policy and the approval card see. */
  request(entry: McpToolEntry, args: Record<string, unknown>): McpToolRequest {
    const connection = this.byName.get(entry.name)?.connection;
    let shown = JSON.stringify(args);
    if (shown.length > ACTION_ARGS_CHARS) shown = `${shown.slice(0, ACTION_ARGS_CHARS)}… (${shown.length} chars)`;
    return {
      tool: "mcp",
      name: entry.name,
      server: entry.server,
      remoteName: entry.remoteName,
      readOnlyHint: entry.readOnlyHint,
      action: `${entry.server}.${entry.remoteName} ${shown}`,
      where: connection?.where ?? `MCP server ${entry.server}`,
    };
  }

  async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutput> {
    const found = this.byName.get(name);
    if (!found) throw mcpError("bad_request", `There is no tool named ${name}.`, { reason: "unknown_tool", tool: name });
    const result = await found.connection.call(found.entry.remoteName, args, signal);
    const content = mcpResultText(result);
    if (result.isError === true) {
      throw mcpError("internal", `${found.entry.server}.${found.entry.remoteName} reported an error: ${content}`, { reason: "mcp_tool_error", server: found.entry.server });
    }
    return { content, data: { server: found.entry.server, tool: found.entry.remoteName } };
  }

  statuses(): McpServerStatus[] {
    return this.connections.map((connection) => {
      const { config } = connection;
      const tools = [...this.byName.values()].filter((t) => t.connection === connection).map(({ entry }) => entry);
      return {
        name: config.name,
        source: config.source,
        transport: isStdioEntry(config.entry) ? "stdio" : "http",
        sandboxed: connection.sandboxed,
        state: connection.state,
        error: connection.error ?? (config.entry.disabled ? "disabled in mcp.json" : null),
        where: connection.where,
        tools: tools.map((t) => ({ name: t.name, remoteName: t.remoteName, description: t.description, readOnlyHint: t.readOnlyHint })),
        warnings: [...connection.warnings],
      };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
