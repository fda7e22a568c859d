import { PathGuard } from "../paths";
import { detectSandbox } from "../sandbox/detect";
import type { McpToolbox } from "../mcp/toolbox";
import type { PageChecker } from "./check-page";
import type { SandboxCapability, SandboxLimits } from "../sandbox/types";
import { checkCheckpointDir } from "./checkpoint";

/** Per-workspace choices the user made; everything risky is off unless turned on. */
export interface ToolSettings {
  /** run_command may use the network (bwrap --share-net). */
  network: boolean;
  /** Where no sandbox exists, run_command may still run, unsandboxed, with a warning. */
  allowUnsandboxed: boolean;
  fetch: { enabled: boolean; allowedHosts: string[] };
  limits?: Partial<SandboxLimits>;
  /** Extra host paths the sandbox shows read-only (toolchains under the hidden home folder). */
  readOnlyPaths?: string[];
}

export const DEFAULT_TOOL_SETTINGS: ToolSettings = {
  network: false,
  allowUnsandboxed: false,
  fetch: { enabled: false, allowedHosts: [] },
};

export interface ToolContext {
  guard: PathGuard;
  /** Real path of the workspace root. */
  workspace: string;
  checkpointDir: string;
  sandbox: SandboxCapability;
  settings: ToolSettings;
  signal?: AbortSignal;
  /** The run's MCP servers; their tools join the catalog as mcp__<server>__<tool>. */
  mcp?: McpToolbox;
  /** What check_page loads pages with: found on first use when absent, none when null. */
  pageChecker?: PageChecker | null;
}

export async function createToolContext(options: {
  workspace: string;
  checkpointDir: string;
  settings?: Partial<ToolSettings>;
  sandbox?: SandboxCapability;
  signal?: AbortSignal;
  mcp?: McpToolbox;
  pageChecker?: PageChecker | null;
}): Promise<ToolContext> {
  const guard = await PathGuard.create(options.workspace);
  return {
    guard,
    workspace: guard.root,
    checkpointDir: await checkCheckpointDir(guard.root, options.checkpointDir),
    sandbox: options.sandbox ?? (await detectSandbox()),
    settings: { ...DEFAULT_TOOL_SETTINGS, ...options.settings },
    signal: options.signal,
    ...(options.mcp ? { mcp: options.mcp } : {}),
    ...(options.pageChecker !== undefined ? { pageChecker: options.pageChecker } : {}),
  };
}
