import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AppError } from "../../../app/contract/errors";
import { mcpError } from "./errors";
import { McpConfigFileSchema, isStdioEntry, mergeMcpServers, parseMcpConfigText } from "../../../app/agent/mcp-config";
import type { McpConfigFile, McpConfigProblem, McpServerConfig } from "../../../app/agent/mcp-config";
import { describeRefused, vetReadOnlyPaths } from "../sandbox/read-only-paths";
import { WORKSPACE_MCP_DIR, WORKSPACE_MCP_NAME, readWorkspaceMcpFile } from "./workspace-file";

export const APP_MCP_CONFIG = "mcp.json";
export const WORKSPACE_MCP_CONFIG = join(WORKSPACE_MCP_DIR, WORKSPACE_MCP_NAME);

export interface LoadedMcpConfig {
  /** App-level servers, then the workspace's ones that clash with none of them. */
  servers: McpServerConfig[];
  problems: McpConfigProblem[];
  appFile: string;
  workspaceFile: string | null;
  /** sha256 of the bytes the workspace's servers were parsed from (what consent approves); null: no file. */
  workspaceSha256: string | null;
}

async function loadAppFile(file: string, workspace: string | null): Promise<{ servers: McpServerConfig[]; problems: McpConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { servers: [], problems: [] };
    return { servers: [], problems: [{ file, server: null, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }] };
  }
  const parsed = parseMcpConfigText(text, file, "app");
  // The user's own file may show host paths to a sandboxed server, but never what the sandbox hides.
  const servers: McpServerConfig[] = [];
  const problems = [...parsed.problems];
  for (const server of parsed.servers) {
    const refused = await refusedPaths(server, workspace);
    if (refused) problems.push({ file, server: server.name, message: refused });
    else servers.push(server);
  }
  return { servers, problems };
}

async function refusedPaths(server: McpServerConfig, workspace: string | null): Promise<string | null> {
  if (!isStdioEntry(server.entry) || !server.entry.sandboxed || server.entry.readOnlyPaths.length === 0) return null;
  const { refused } = await vetReadOnlyPaths(server.entry.readOnlyPaths, workspace ? { workspace } : {});
  return refused.length > 0 ? describeRefused(refused) : null;
}

async function loadWorkspaceFile(workspace: string): Promise<{ servers: McpServerConfig[]; problems: McpConfigProblem[]; sha256: string | null }> {
  const file = join(workspace, WORKSPACE_MCP_CONFIG);
  const read = await readWorkspaceMcpFile(workspace);
  if (read.kind === "absent") return { servers: [], problems: [], sha256: null };
  if (read.kind === "refused") return { servers: [], problems: [{ file, server: null, message: read.message }], sha256: null };
  return { ...parseMcpConfigText(read.bytes.toString("utf8"), file, "workspace"), sha256: read.sha256 };
}

/** The servers a run in `workspace` may get: app-level ones, and the workspace's that take no app name. */
export async function loadMcpConfig(options: { dataDir: string; workspace?: string | null }): Promise<LoadedMcpConfig> {
  const workspace = options.workspace ?? null;
  const appFile = join(options.dataDir, APP_MCP_CONFIG);
  const app = await loadAppFile(appFile, workspace);
  const own = workspace ? await loadWorkspaceFile(workspace) : { servers: [], problems: [], sha256: null };
  const merged = mergeMcpServers(app.servers, own.servers);
  return {
    servers: merged.servers,
    problems: [...app.problems, ...own.problems, ...merged.problems],
    appFile,
    workspaceFile: workspace ? join(workspace, WORKSPACE_MCP_CONFIG) : null,
    workspaceSha256: own.sha256,
  };
}

export async function readAppMcpConfigText(dataDir: string): Promise<string | null> {
  return readFile(join(dataDir, APP_MCP_CONFIG), "utf8").catch(() => null);
}

function badConfig(issues: { path: (string | number)[]; message: string }[]): AppError {
  const text = issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
  return mcpError("bad_request", `The MCP configuration is invalid: ${text}`, { reason: "bad_mcp_config", issues });
}

/** Validates the whole file strictly (a bad entry refuses the save, naming it) and replaces it atomically. */
export async function saveAppMcpConfig(dataDir: string, config: McpConfigFile): Promise<string> {
  const parsed = McpConfigFileSchema.safeParse(config);
  if (!parsed.success) throw badConfig(parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message })));
  const refused: { path: (string | number)[]; message: string }[] = [];
  for (const [name, entry] of Object.entries(parsed.data.mcpServers)) {
    const message = await refusedPaths({ name, source: "app", file: APP_MCP_CONFIG, entry }, null);
    if (message) refused.push({ path: ["mcpServers", name, "readOnlyPaths"], message });
  }
  if (refused.length > 0) throw badConfig(refused);
  const file = join(dataDir, APP_MCP_CONFIG);
  const temp = `${file}.${process.pid}.tmp`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  return file;
}
