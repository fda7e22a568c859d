import type { McpServerStatus } from "../../../app/contract/agent-api";
import type { McpConfigProblem } from "../../../app/agent/mcp-config";
import { detectSandbox } from "../sandbox/detect";
import type { ToolSettings } from "../tools/context";
import type { SandboxCapability } from "../sandbox/types";
import { resolveWorkspaceRoot } from "../workspace";
import { loadMcpConfig, readAppMcpConfigText } from "./config";
import { McpToolbox } from "./toolbox";

/** Starting servers just to show their tools should not keep a settings screen waiting long. */
const LIST_CONNECT_TIMEOUT_MS = 15_000;

/** The MCP servers of one agent run in `workspace`; the caller closes the toolbox when the run ends. */
export async function openRunToolbox(options: {
  dataDir: string;
  workspace: string;
  sandbox: SandboxCapability;
  settings?: Pick<ToolSettings, "limits" | "readOnlyPaths">;
}): Promise<{ toolbox: McpToolbox; problems: McpConfigProblem[] }> {
  const config = await loadMcpConfig({ dataDir: options.dataDir, workspace: options.workspace });
  if (config.servers.length === 0) return { toolbox: McpToolbox.empty(), problems: config.problems };
  const toolbox = await McpToolbox.open(config.servers, {
    workspace: options.workspace,
    sandbox: options.sandbox,
    limits: options.settings?.limits,
    readOnlyPaths: options.settings?.readOnlyPaths,
  });
  return { toolbox, problems: config.problems };
}

export interface McpServersListing {
  appConfigFile: string;
  appConfigText: string | null;
  workspaceConfigFile: string | null;
  servers: McpServerStatus[];
  problems: McpConfigProblem[];
}

/**
 * What a run would get: every configured server is started, asked for its tools, and closed again.
 * Without a workspace, sandboxed servers (whose sandbox is built around one) are listed as configured.
 */
export async function listMcpServers(dataDir: string, workspaceInput?: string): Promise<McpServersListing> {
  const workspace = workspaceInput ? await resolveWorkspaceRoot(workspaceInput) : null;
  const config = await loadMcpConfig({ dataDir, workspace });
  const startable = config.servers.filter((s) => workspace || !("sandboxed" in s.entry && s.entry.sandboxed));
  const toolbox = await McpToolbox.open(startable, {
    workspace: workspace ?? dataDir,
    sandbox: await detectSandbox(),
    connectTimeoutMs: LIST_CONNECT_TIMEOUT_MS,
  });
  try {
    const started = new Map(toolbox.statuses().map((s) => [s.name, s]));
    const servers = config.servers.map((server): McpServerStatus =>
      started.get(server.name) ?? {
        name: server.name,
        source: server.source,
        transport: "stdio",
        sandboxed: true,
        state: "configured",
        error: "sandboxed servers are started inside a workspace; pick one to see its tools",
        where: "the workspace's sandbox",
        tools: [],
        warnings: [],
      },
    );
    return {
      appConfigFile: config.appFile,
      appConfigText: await readAppMcpConfigText(dataDir),
      workspaceConfigFile: config.workspaceFile,
      servers,
      problems: config.problems,
    };
  } finally {
    await toolbox.close();
  }
}
