import type { CommandExecution } from "../../../app/agent/policy";
import { runSandboxed } from "../sandbox/runner";
import { DEFAULT_LIMITS } from "../sandbox/types";
import type { RunResult } from "../sandbox/types";
import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";
import { headBytes, truncationMarker } from "./truncate";

const STREAM_CAP_BYTES = 20 * 1024;

export function timeoutSeconds(ctx: ToolContext, args: ToolArgs["run_command"]): number {
  return args.timeout_s ?? Math.round((ctx.settings.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs) / 1000);
}

/** How run_command would execute in this context, for the policy and the approval prompt. */
export function commandExecution(ctx: ToolContext, args: ToolArgs["run_command"]): CommandExecution {
  const timeoutS = timeoutSeconds(ctx, args);
  const network = ctx.settings.network;
  switch (ctx.sandbox.kind) {
    case "bwrap":
      return { kind: "sandboxed", detail: "bubblewrap", network, timeoutS };
    case "sandbox-exec":
      return { kind: "sandboxed", detail: "macOS sandbox-exec", network, timeoutS };
    case "none":
      return ctx.settings.allowUnsandboxed
        ? { kind: "unsandboxed", detail: ctx.sandbox.reason, network: true, timeoutS }
        : { kind: "unavailable", detail: `${ctx.sandbox.reason}; this workspace has not allowed unsandboxed commands`, network: false, timeoutS };
  }
}

function stream(name: string, text: string, truncatedBytes: number): string[] {
  if (text === "" && truncatedBytes === 0) return [];
  const { head, omittedBytes } = headBytes(text, STREAM_CAP_BYTES);
  const omitted = omittedBytes + truncatedBytes;
  const out = [`[${name}]`, head.replace(/\n$/, "")];
  if (omitted > 0) out.push(truncationMarker(omitted, `${name} was cut; rerun with its output redirected to a file inside the workspace and read_file it, or filter it (grep, head, tail)`));
  return out;
}

function status(result: RunResult, timeoutS: number): string {
  if (result.timedOut) return `killed: timed out after ${timeoutS} s (every process of the command was stopped)`;
  if (result.outputLimitHit) return "killed: the command wrote too much output";
  if (result.aborted) return "killed: cancelled";
  if (result.signal) return `killed by signal ${result.signal}`;
  return `exit code ${String(result.exitCode)}`;
}

export async function runCommandTool(ctx: ToolContext, args: ToolArgs["run_command"]): Promise<ToolOutput> {
  const timeoutS = timeoutSeconds(ctx, args);
  const result = await runSandboxed(
    {
      command: args.command,
      workspace: ctx.workspace,
      network: ctx.settings.network,
      limits: { ...ctx.settings.limits, timeoutMs: timeoutS * 1000 },
      readOnlyPaths: ctx.settings.readOnlyPaths,
      allowUnsandboxed: ctx.settings.allowUnsandboxed,
      signal: ctx.signal,
    },
    ctx.sandbox,
  );
  const warnings = [...result.warnings.filter((w) => result.unsandboxed || !w.startsWith("running as root")), ...result.protectedViolations];
  const lines = [
    status(result, timeoutS),
    ...stream("stdout", result.stdout, result.stdoutTruncatedBytes),
    ...stream("stderr", result.stderr, result.stderrTruncatedBytes),
    ...result.protectedViolations.map((v) => `[protected path: ${v}]`),
  ];
  if (result.unsandboxed) lines.unshift("[WARNING: ran without a sandbox]");
  return { content: lines.join("\n"), data: result, warnings };
}
