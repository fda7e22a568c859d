import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { mcpError } from "./errors";
import { shellQuote } from "../../../app/agent/policy";
import type { McpStdioServerEntry } from "../../../app/agent/mcp-config";
import { bwrapArgs } from "../sandbox/bwrap-args";
import { hostMounts } from "../sandbox/host-mounts";
import { describeRefused, vetReadOnlyPaths } from "../sandbox/read-only-paths";
import { createRunCgroup, type RunCgroup } from "../sandbox/cgroup";
import { spawnWrapper } from "../sandbox/spawn-wrapper";
import { enforceProtected, planProtected } from "../sandbox/protected";
import { seccompFilter } from "../sandbox/seccomp";
import { DEFAULT_LIMITS } from "../sandbox/types";
import type { SandboxCapability, SandboxLimits } from "../sandbox/types";

/** What StdioClientTransport spawns, plus what to undo when the server is closed. */
export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** For the approval card: where the server's code runs. */
  where: string;
  sandboxed: boolean;
  /** Runs after the server exits: removes the cgroup, temp files and any protected path it created. */
  cleanup(): Promise<string[]>;
}


function serverCwd(workspace: string, entry: McpStdioServerEntry): string {
  if (!entry.cwd) return workspace;
  return isAbsolute(entry.cwd) ? entry.cwd : resolve(workspace, entry.cwd);
}

const quoted = (part: string) => (/^[\w./:=@+-]+$/.test(part) ? part : shellQuote(part));

function describeCommand(entry: McpStdioServerEntry): string {
  return [entry.command, ...entry.args].map(quoted).join(" ");
}

/** Everything a stdio server is started with, as one shell line: what a consent shows. */
export function commandLine(entry: McpStdioServerEntry): string {
  const env = Object.entries(entry.env).map(([name, value]) => `${name}=${quoted(value)}`);
  const cwd = entry.cwd ? [`cd ${quoted(entry.cwd)} &&`] : [];
  return [...cwd, ...env, describeCommand(entry)].join(" ");
}

/** A server the user did not mark sandboxed runs as they do: only the SDK's short list of env vars, plus its own. */
export function plainLaunch(workspace: string, entry: McpStdioServerEntry): StdioLaunch {
  return {
    command: entry.command,
    args: entry.args,
    env: entry.env,
    cwd: serverCwd(workspace, entry),
    where: `MCP server \`${describeCommand(entry)}\` (NOT sandboxed: runs with your account's full permissions)`,
    sandboxed: false,
    cleanup: async () => [],
  };
}

/**
 * A server marked `sandboxed` runs in the same bubblewrap sandbox as run_command, built by the same
 * argument builder: `/` read-only, the workspace writable (its protected paths not), tmpfs over home and
 * /tmp, no network unless enabled, --cap-drop ALL, --clearenv, --new-session, the seccomp filter, the
 * memory and process limits. --new-session costs nothing here: the server talks over pipes, not a
 * terminal. StdioClientTransport cannot hand the child a fourth descriptor, so a tiny sh wrapper opens
 * the seccomp program as fd 3 (and joins the pids cgroup) before exec'ing bwrap.
 */
export async function sandboxedLaunch(options: {
  sandbox: SandboxCapability;
  workspace: string;
  entry: McpStdioServerEntry;
  limits?: Partial<SandboxLimits>;
  readOnlyPaths?: string[];
  /** False in Read-only mode: the server sees the workspace but cannot change it. */
  workspaceWritable?: boolean;
}): Promise<StdioLaunch> {
  const { sandbox, workspace, entry } = options;
  if (sandbox.kind !== "bwrap") {
    const why = sandbox.kind === "none" ? sandbox.reason : "sandboxed MCP servers use bubblewrap, which macOS does not have";
    throw mcpError("bad_request", `This MCP server is marked sandboxed, but no sandbox is available: ${why}.`, { reason: "sandbox_unavailable", detail: why });
  }
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Checked before anything starts: a path the sandbox hides fails the server, saying which and why.
  const vetted = await vetReadOnlyPaths([...(options.readOnlyPaths ?? []), ...entry.readOnlyPaths], { workspace });
  if (vetted.refused.length > 0) {
    throw mcpError("bad_request", `This MCP server was not started: ${describeRefused(vetted.refused)}.`, { reason: "read_only_path_refused", refused: vetted.refused });
  }
  const workspaceWritable = options.workspaceWritable !== false;
  const protectedPlan = await planProtected(workspace);
  // The same host secrets the command runner masks.
  const mounts = await hostMounts(vetted.paths);
  const cwd = serverCwd(workspace, entry);
  const exports = Object.entries(entry.env).map(([name, value]) => `export ${name}=${shellQuote(value)}; `).join("");
  const script = `${exports}cd ${shellQuote(cwd)} || exit 126; exec ${[entry.command, ...entry.args].map(shellQuote).join(" ")}`;

  const temp = await mkdtemp(join(tmpdir(), "m2d-mcp-"));
  await chmod(temp, 0o700);
  let cgroup: RunCgroup | null = null;
  try {
    const seccomp = seccompFilter();
    const seccompFile = join(temp, "seccomp.bpf");
    if (seccomp) await writeFile(seccompFile, seccomp, { mode: 0o600 });
    const argv = bwrapArgs({
      bwrap: sandbox.bwrap,
      prlimit: sandbox.prlimit,
      shell: sandbox.shell,
      workspace,
      command: script,
      network: entry.network,
      memoryBytes: limits.memoryBytes,
      maxProcesses: limits.maxProcesses,
      tmpfsBytes: limits.tmpfsBytes,
      readOnlyInWorkspace: protectedPlan.readOnly,
      ...mounts,
      seccompFd: seccomp ? 3 : null,
      disableUserns: sandbox.disableUserns,
      workspaceWritable,
    });
    cgroup = await createRunCgroup(sandbox, limits);
    // StdioClientTransport cannot hand the child a fourth descriptor: the wrapper opens the program as fd 3.
    const [shell, ...shellArgs] = spawnWrapper({ shell: sandbox.shell, procsFiles: cgroup?.procsFiles ?? [], seccomp: seccomp ? { file: seccompFile } : null, argv });
    const network = entry.network ? "network ON" : "network off";
    return {
      command: shell as string,
      args: shellArgs,
      env: {},
      cwd: workspace,
      where: `MCP server \`${describeCommand(entry)}\` (sandbox: bubblewrap, ${workspace} ${workspaceWritable ? "writable" : "read-only"}, ${network})`,
      sandboxed: true,
      cleanup: async () => {
        await cgroup?.destroy();
        await rm(temp, { recursive: true, force: true });
        return enforceProtected(workspace, protectedPlan.snapshot);
      },
    };
  } catch (error) {
    await cgroup?.destroy();
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
