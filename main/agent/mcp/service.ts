import type { McpServerStatus, WorkspaceMcpConsent } from "../../../app/contract/agent-api";
import { mcpError } from "./errors";
import { isStdioEntry } from "../../../app/agent/mcp-config";
import type { McpConfigProblem, McpServerConfig } from "../../../app/agent/mcp-config";
import type { PolicyMode } from "../../../app/agent/types";
import { detectSandbox } from "../sandbox/detect";
import type { ToolSettings } from "../tools/context";
import type { SandboxCapability } from "../sandbox/types";
import { resolveWorkspaceRoot } from "../workspace";
import { WORKSPACE_MCP_CONFIG, loadMcpConfig, readAppMcpConfigText } from "./config";
import type { LoadedMcpConfig } from "./config";
import type { McpConsentStore } from "./consent";
import { commandLine } from "./launch";
import { McpToolbox } from "./toolbox";

/** Starting servers just to show their tools should not keep a settings screen waiting long. */
const LIST_CONNECT_TIMEOUT_MS = 15_000;

/** The loaded servers split into those that may start and the workspace's ones that wait for consent. */
function gate(config: LoadedMcpConfig, workspace: string | null, consent: McpConsentStore) {
  const approved = workspace !== null && config.workspaceSha256 !== null && consent.isApproved(workspace, config.workspaceSha256);
  const waits = (s: McpServerConfig) => !approved && s.source === "workspace";
  return { startable: config.servers.filter((s) => !waits(s)), pending: config.servers.filter((s) => waits(s) && !s.entry.disabled), waits };
}

function consentNotice(pending: McpServerConfig[], sha256: string | null): string | null {
  if (pending.length === 0) return null;
  const count = pending.length === 1 ? "1 MCP server" : `${pending.length} MCP servers`;
  return (
    `${count} in ${WORKSPACE_MCP_CONFIG} need${pending.length === 1 ? "s" : ""} your approval: ${pending.map((s) => s.name).join(", ")}. ` +
    `${pending.length === 1 ? "It was" : "They were"} not started; approve this content of the file (sha256 ${sha256}) in the workspace's MCP settings, or run \`m2d agent --trust-workspace-mcp\`.`
  );
}

/** The MCP servers of one agent run in `workspace`; the caller closes the toolbox when the run ends. */
export async function openRunToolbox(options: {
  dataDir: string;
  workspace: string;
  sandbox: SandboxCapability;
  consent: McpConsentStore;
  /** Read-only: sandboxed servers get the workspace read-only. */
  mode: PolicyMode;
  settings?: Pick<ToolSettings, "limits" | "readOnlyPaths">;
}): Promise<{ toolbox: McpToolbox; problems: McpConfigProblem[]; notices: string[] }> {
  const config = await loadMcpConfig({ dataDir: options.dataDir, workspace: options.workspace });
  const { startable, pending } = gate(config, options.workspace, options.consent);
  const notice = consentNotice(pending, config.workspaceSha256);
  const notices = notice ? [notice] : [];
  if (startable.length === 0) return { toolbox: McpToolbox.empty(), problems: config.problems, notices };
  const toolbox = await McpToolbox.open(startable, {
    workspace: options.workspace,
    sandbox: options.sandbox,
    limits: options.settings?.limits,
    readOnlyPaths: options.settings?.readOnlyPaths,
    workspaceWritable: options.mode !== "read_only",
  });
  return { toolbox, problems: config.problems, notices };
}

export interface McpServersListing {
  appConfigFile: string;
  appConfigText: string | null;
  workspaceConfigFile: string | null;
  servers: McpServerStatus[];
  problems: McpConfigProblem[];
}

function notStarted(server: McpServerConfig, state: McpServerStatus["state"], error: string, where: string): McpServerStatus {
  return { name: server.name, source: server.source, transport: "stdio", sandboxed: true, state, error, where, tools: [], warnings: [] };
}

/**
 * What a run would get: every configured server that may start is started (the workspace read-only),
 * asked for its tools, and closed again. A workspace's servers the user has not approved are listed,
 * not started. Without a workspace, sandboxed servers (whose sandbox is built around one) are listed as configured.
 */
export async function listMcpServers(dataDir: string, workspaceInput: string | undefined, consent: McpConsentStore): Promise<McpServersListing> {
  const workspace = workspaceInput ? await resolveWorkspaceRoot(workspaceInput) : null;
  const config = await loadMcpConfig({ dataDir, workspace });
  const { startable, waits } = gate(config, workspace, consent);
  const toolbox = await McpToolbox.open(
    startable.filter((s) => workspace || !("sandboxed" in s.entry && s.entry.sandboxed)),
    { workspace: workspace ?? dataDir, sandbox: await detectSandbox(), connectTimeoutMs: LIST_CONNECT_TIMEOUT_MS, workspaceWritable: false },
  );
  try {
    const started = new Map(toolbox.statuses().map((s) => [s.name, s]));
    const servers = config.servers.map(
      (server): McpServerStatus =>
        started.get(server.name) ??
        (waits(server)
          ? notStarted(server, "unapproved", `needs your approval of ${WORKSPACE_MCP_CONFIG} before it starts`, isStdioEntry(server.entry) ? commandLine(server.entry) : "")
          : notStarted(server, "configured", "sandboxed servers are started inside a workspace; pick one to see its tools", "the workspace's sandbox")),
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

/** What approving the workspace's `.m2d/mcp.json` would start: each server's whole command line, and the hash approved. */
export async function workspaceMcpConsent(dataDir: string, workspaceInput: string, consent: McpConsentStore): Promise<WorkspaceMcpConsent> {
  const workspace = await resolveWorkspaceRoot(workspaceInput);
  const config = await loadMcpConfig({ dataDir, workspace });
  const file = config.workspaceFile!;
  return {
    workspace,
    file,
    sha256: config.workspaceSha256,
    approved: config.workspaceSha256 !== null && consent.isApproved(workspace, config.workspaceSha256),
    servers: config.servers.flatMap((s) =>
      s.source === "workspace" && isStdioEntry(s.entry)
        ? [{ name: s.name, commandLine: commandLine(s.entry), network: s.entry.network, disabled: s.entry.disabled }]
        : [],
    ),
    problems: config.problems.filter((p) => p.file === file),
  };
}

/** Approves exactly the content whose hash the user was shown; a file that changed since is refused. */
export async function approveWorkspaceMcp(dataDir: string, workspaceInput: string, sha256: string, consent: McpConsentStore): Promise<WorkspaceMcpConsent> {
  const current = await workspaceMcpConsent(dataDir, workspaceInput, consent);
  if (current.sha256 === null) {
    throw mcpError("not_found", `There is no usable ${WORKSPACE_MCP_CONFIG} in ${current.workspace}.`, { reason: "no_workspace_mcp_config", problems: current.problems });
  }
  if (current.sha256 !== sha256) {
    throw mcpError("bad_request", `${current.file} changed since it was shown (its sha256 is now ${current.sha256}); review it again.`, {
      reason: "mcp_config_changed",
      sha256: current.sha256,
    });
  }
  consent.approve(current.workspace, sha256);
  return { ...current, approved: true };
}

export async function revokeWorkspaceMcp(dataDir: string, workspaceInput: string, consent: McpConsentStore): Promise<WorkspaceMcpConsent> {
  const workspace = await resolveWorkspaceRoot(workspaceInput);
  consent.revoke(workspace);
  return workspaceMcpConsent(dataDir, workspace, consent);
}
