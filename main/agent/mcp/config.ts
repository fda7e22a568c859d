import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { McpConfigFileSchema, mergeMcpServers, parseMcpConfigText } from "../../../app/agent/mcp-config";
import type { McpConfigFile, McpConfigProblem, McpConfigSource, McpServerConfig } from "../../../app/agent/mcp-config";

export const APP_MCP_CONFIG = "mcp.json";
export const WORKSPACE_MCP_CONFIG = join(".m2d", "mcp.json");

export interface LoadedMcpConfig {
  servers: McpServerConfig[];
  problems: McpConfigProblem[];
  appFile: string;
  workspaceFile: string | null;
}

async function loadFile(file: string, source: McpConfigSource): Promise<{ servers: McpServerConfig[]; problems: McpConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { servers: [], problems: [] };
    return { servers: [], problems: [{ file, server: null, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }] };
  }
  return parseMcpConfigText(text, file, source);
}

/** The servers a run in `workspace` gets: app-level ones, overridden by name by the workspace's own. */
export async function loadMcpConfig(options: { dataDir: string; workspace?: string | null }): Promise<LoadedMcpConfig> {
  const appFile = join(options.dataDir, APP_MCP_CONFIG);
  const workspaceFile = options.workspace ? join(options.workspace, WORKSPACE_MCP_CONFIG) : null;
  const app = await loadFile(appFile, "app");
  const workspace = workspaceFile ? await loadFile(workspaceFile, "workspace") : { servers: [], problems: [] };
  return {
    servers: mergeMcpServers(app.servers, workspace.servers),
    problems: [...app.problems, ...workspace.problems],
    appFile,
    workspaceFile,
  };
}

export async function readAppMcpConfigText(dataDir: string): Promise<string | null> {
  return readFile(join(dataDir, APP_MCP_CONFIG), "utf8").catch(() => null);
}

/** Validates the whole file strictly (a bad entry refuses the save, naming it) and replaces it atomically. */
export async function saveAppMcpConfig(dataDir: string, config: McpConfigFile): Promise<string> {
  const parsed = McpConfigFileSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ");
    throw new AppError("bad_request", `The MCP configuration is invalid: ${issues}`, { reason: "bad_mcp_config", issues: parsed.error.issues });
  }
  const file = join(dataDir, APP_MCP_CONFIG);
  const temp = `${file}.${process.pid}.tmp`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  return file;
}
