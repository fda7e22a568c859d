import { mkdtemp, realpath, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { SANDBOX_READONLY_PATHS } from "../../../app/agent/protected-paths";
import { resolveWorkspaceRoot } from "../workspace";
import { bwrapArgs, SANDBOX_PATH } from "./bwrap-args";
import { hostMounts } from "./host-mounts";
import { createRunCgroup } from "./cgroup";
import { detectSandbox } from "./detect";
import { execute } from "./execute";
import type { ExecuteResult } from "./execute";
import { sandboxExecArgv } from "./macos-profile";
import { enforceProtected, planProtected, type ProtectedPlan } from "./protected";
import { seccompFilter } from "./seccomp";
import { spawnWrapper } from "./spawn-wrapper";
import { openBindHandles, type BindHandles } from "./bind-handles";
import { DEFAULT_LIMITS } from "./types";
import type { RunRequest, RunResult, SandboxCapability, SandboxLimits } from "./types";


const formatBytes = (bytes: number) => (bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`);

/**
 * Runs one command for the agent: inside bubblewrap on Linux, sandbox-exec on macOS, and without a
 * sandbox only where the workspace opted in (the result then says so). Policy has already approved it.
 */
export async function runSandboxed(request: RunRequest, capability?: SandboxCapability): Promise<RunResult> {
  const cap = capability ?? (await detectSandbox());
  const workspace = await resolveWorkspaceRoot(request.workspace);
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...request.limits };
  if (typeof request.command !== "string" || request.command.trim() === "" || request.command.includes("\0")) {
    throw new AppError("bad_request", "The command is empty or contains a NUL byte.", { reason: "bad_command" });
  }
  switch (cap.kind) {
    case "bwrap":
      return runBwrap(cap, workspace, request, limits);
    case "sandbox-exec":
      return runSandboxExec(cap, workspace, request, limits);
    case "none":
      if (!request.allowUnsandboxed) {
        throw new AppError("bad_request", `run_command is disabled: ${cap.reason}. Allow unsandboxed commands for this workspace to run them anyway.`, {
          reason: "sandbox_unavailable",
          detail: cap.reason,
        });
      }
      return runUnsandboxed(cap.reason, workspace, request, limits);
  }
}

async function runBwrap(cap: Extract<SandboxCapability, { kind: "bwrap" }>, workspace: string, request: RunRequest, limits: SandboxLimits): Promise<RunResult> {
  const protectedPlan = await planProtected(workspace);
  const mounts = await hostMounts(request.readOnlyPaths ?? []);
  const seccomp = seccompFilter();
  const handles = openBindHandles(workspace, protectedPlan.readOnly);
  try {
    return await runBwrapWith(cap, workspace, request, limits, { protectedPlan, mounts, seccomp, handles });
  } finally {
    handles.close();
  }
}

async function runBwrapWith(
  cap: Extract<SandboxCapability, { kind: "bwrap" }>,
  workspace: string,
  request: RunRequest,
  limits: SandboxLimits,
  { protectedPlan, mounts, seccomp, handles }: { protectedPlan: ProtectedPlan; mounts: Awaited<ReturnType<typeof hostMounts>>; seccomp: Buffer | null; handles: BindHandles },
): Promise<RunResult> {
  const argv = bwrapArgs({
    bwrap: cap.bwrap,
    prlimit: cap.prlimit,
    shell: cap.shell,
    workspace,
    command: request.command,
    network: request.network === true,
    memoryBytes: limits.memoryBytes,
    maxProcesses: limits.maxProcesses,
    tmpfsBytes: limits.tmpfsBytes,
    // Only what was opened no-follow: a path that failed (swapped for a symlink meanwhile) would be
    // bound by path, and bwrap follows symlinks there; the after-run check covers it instead.
    readOnlyInWorkspace: protectedPlan.readOnly.filter((path) => handles.childFds.has(path)),
    readOnlyFds: handles.childFds,
    ...mounts,
    seccompFd: seccomp ? 3 : null,
    disableUserns: cap.disableUserns,
  });
  const warnings = [...cap.notes];
  if (!seccomp) warnings.push(`no seccomp filter for ${process.arch}: unix sockets at visible paths stay reachable`);
  // Fail closed: as host root this cgroup is the only limit on processes and on the run's memory.
  const cgroup = await createRunCgroup(cap, limits).catch((error: unknown) => {
    throw new AppError("internal", "Could not set up the process and memory limits for this command, so it was not run.", {
      reason: "cgroup_failed",
      detail: error instanceof Error ? error.message : String(error),
    });
  });
  const keepFds = [...handles.childFds.values()];
  const spawnArgv = spawnWrapper({ shell: cap.shell, procsFiles: cgroup?.procsFiles ?? [], seccomp: seccomp ? { fd: 3 } : null, keepFds, argv });
  let result: ExecuteResult;
  try {
    result = await execute({ argv: spawnArgv, env: {}, limits, signal: request.signal, fd3: seccomp ?? undefined, inheritFds: handles.fds });
    if (await cgroup?.hitMemoryLimit()) warnings.push(`a process was killed for reaching the run's memory limit (${formatBytes(limits.memoryBytes)})`);
  } finally {
    await cgroup?.destroy();
  }
  const protectedViolations = await enforceProtected(workspace, protectedPlan.snapshot);
  return { ...result, sandbox: "bwrap", unsandboxed: false, protectedViolations, warnings, argv };
}

async function runSandboxExec(cap: Extract<SandboxCapability, { kind: "sandbox-exec" }>, workspace: string, request: RunRequest, limits: SandboxLimits): Promise<RunResult> {
  const tmpDir = await realpath(await mkdtemp(join(tmpdir(), "m2d-run-")));
  const home = await realpath(homedir()).catch(() => homedir());
  const protectedPlan = await planProtected(workspace);
  const argv = sandboxExecArgv({
    sandboxExec: cap.sandboxExec,
    shell: cap.shell,
    command: request.command,
    workspace,
    home,
    tmpDir,
    network: request.network === true,
    protectedPaths: SANDBOX_READONLY_PATHS,
    memoryBytes: limits.memoryBytes,
    maxProcesses: limits.maxProcesses,
  });
  const env = { PATH: SANDBOX_PATH, HOME: tmpDir, LANG: "C.UTF-8", TERM: "dumb", PWD: workspace, TMPDIR: tmpDir };
  try {
    const result = await execute({ argv, env, cwd: workspace, limits, signal: request.signal });
    const protectedViolations = await enforceProtected(workspace, protectedPlan.snapshot);
    return { ...result, sandbox: "sandbox-exec", unsandboxed: false, protectedViolations, warnings: [...cap.notes], argv };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

async function runUnsandboxed(reason: string, workspace: string, request: RunRequest, limits: SandboxLimits): Promise<RunResult> {
  const windows = process.platform === "win32";
  const argv = windows ? ["cmd.exe", "/d", "/s", "/c", request.command] : ["/bin/sh", "-c", request.command];
  // Still no secrets from the app's own environment.
  const keep = windows ? ["PATH", "SystemRoot", "ComSpec", "PATHEXT", "TEMP", "TMP", "USERPROFILE", "HOME"] : ["PATH", "HOME", "LANG", "TMPDIR"];
  const env: Record<string, string> = { TERM: "dumb" };
  for (const name of keep) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const result = await execute({ argv, env, cwd: workspace, limits, signal: request.signal });
  return {
    ...result,
    sandbox: "none",
    unsandboxed: true,
    protectedViolations: [],
    warnings: [`NOT sandboxed (${reason}): the command ran with your account's full permissions`],
    argv,
  };
}

