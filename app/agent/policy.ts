import { shellQuote } from "./command";
import type { CommandAnalysis, ShellRedirect, SimpleCommand } from "./command";
import { commandEntries, toolEntries } from "./always-allow";
import type { AlwaysAllow } from "./always-allow";
import { matchCommand } from "./command-match";
import { relativeInside, resolvePosix } from "./posix-path";
import { isProtectedPath } from "./protected-paths";
import { decideMcp } from "./mcp-policy";
import type { McpToolRequest } from "./mcp-policy";
import { alwaysAllowedByCommands, toolDefinition } from "./tool-definitions";
import type { AGENT_TOOLS, ToolPolicyClass, ToolsOfClass } from "./tool-definitions";
import type { AgentToolName, McpToolName, PolicyMode, ToolName } from "./types";

export { shellQuote };

export interface PolicySettings {
  mode: PolicyMode;
  /** "Always allow" per tool, e.g. write_file. Never lifts read_only, protected paths or unparseable commands. */
  allowedTools?: readonly (ToolName | McpToolName)[];
  /** "Always allow" per command: `npm test`, `npm run *`. Every part of a chain must match one. */
  allowedCommands?: readonly string[];
}

/** How run_command would execute here; `unavailable` carries the reason in `detail`. */
export interface CommandExecution {
  kind: "sandboxed" | "unsandboxed" | "unavailable";
  detail: string;
  network: boolean;
  timeoutS: number;
}

/** What the policy needs to know about a call, per policy class (tool-definitions.ts gives each tool its class). */
interface RequestFacts {
  read: { workspace: string; path: string };
  plan: { summary: string };
  /** `path` is workspace-relative and already resolved by the path guard. */
  write: { workspace: string; path: string };
  command: { workspace: string; command: string; analysis: CommandAnalysis; execution: CommandExecution };
  network: { url: string; host: string; enabled: boolean; hostAllowed: boolean };
}

/** A call to any built-in tool of class C, as its class's decider takes it. */
export type RequestOf<C extends ToolPolicyClass> = { tool: ToolsOfClass<C> } & RequestFacts[C];

/** A call to built-in tool N, ready for the policy: the facts of N's class. */
export type ToolRequests = { [N in ToolName]: { tool: N } & RequestFacts[(typeof AGENT_TOOLS)[N]["policy"]] };

export type ToolRequest = ToolRequests[ToolName] | McpToolRequest;

export type DecisionKind = "allow" | "ask" | "deny";

export interface Decision {
  kind: DecisionKind;
  tool: AgentToolName;
  /** Why, for a person. */
  reason: string;
  /** Exactly what will run or change. */
  action: string;
  /** Where it happens. */
  where: string;
  /** On "ask" only: what "Always allow" would save, or why it cannot. */
  alwaysAllow?: AlwaysAllow;
}

export function decide(request: ToolRequest, settings: PolicySettings): Decision {
  const decision = decideKind(request, settings);
  if (decision.kind !== "ask") return decision;
  return { ...decision, alwaysAllow: isCommandRequest(request) ? commandEntries(request.analysis) : toolEntries(decision.tool) };
}

function isCommandRequest(request: ToolRequest): request is RequestOf<"command"> {
  return alwaysAllowedByCommands(request.tool);
}

const DECIDERS: { [C in ToolPolicyClass]: (request: RequestOf<C>, settings: PolicySettings) => Decision } = {
  read: (request) => make(request.tool, "allow", "reading the workspace is always allowed", `${request.tool} ${request.path}`, request.workspace),
  plan: (request) => make(request.tool, "allow", "updating the plan changes nothing on disk", request.summary, "the conversation"),
  write: decideWrite,
  command: decideCommand,
  network: decideFetch,
};

function decideKind(request: ToolRequest, settings: PolicySettings): Decision {
  if (request.tool === "mcp") return decideMcp(request, settings);
  // The tool's class picks the decider. ToolRequests gives every tool its class's facts, so the request
  // fits that decider; TypeScript cannot follow the lookup, hence the cast.
  // Own keys only: a name like "toString" must not reach Object.prototype and pick no decider.
  const definition = toolDefinition(request.tool);
  if (!definition) throw new Error(`No built-in tool is named ${String(request.tool)}; nothing can decide it.`);
  const decider = DECIDERS[definition.policy] as (request: ToolRequest, settings: PolicySettings) => Decision;
  return decider(request, settings);
}

function make(tool: ToolName, kind: DecisionKind, reason: string, action: string, where: string): Decision {
  return { kind, tool, reason, action, where };
}

function toolAllowed(settings: PolicySettings, tool: ToolName): boolean {
  return (settings.allowedTools ?? []).includes(tool);
}

function editsRun(settings: PolicySettings): boolean {
  return settings.mode === "auto_edit" || settings.mode === "full_auto" || toolAllowed(settings, "write_file");
}

function decideWrite(request: RequestOf<"write">, settings: PolicySettings): Decision {
  const action = `${request.tool === "write_file" ? "write" : "edit"} ${request.path}`;
  const deny = (reason: string) => make(request.tool, "deny", reason, action, request.workspace);
  if (settings.mode === "read_only") return deny("read-only mode refuses writes");
  if (isProtectedPath(request.path)) return deny(`${request.path} is protected (git internals, shell rc files and .m2d are never written by the agent)`);
  if (settings.mode === "auto_edit" || settings.mode === "full_auto") {
    return make(request.tool, "allow", `${modeLabel(settings.mode)} runs edits`, action, request.workspace);
  }
  if (toolAllowed(settings, request.tool)) return make(request.tool, "allow", `${request.tool} is always allowed`, action, request.workspace);
  return make(request.tool, "ask", "ask mode: writes need your approval", action, request.workspace);
}

function decideCommand(request: RequestOf<"command">, settings: PolicySettings): Decision {
  const { execution } = request;
  const action = `bash -c ${shellQuote(request.command)}`;
  const where = whereCommandRuns(request);
  const result = (kind: DecisionKind, reason: string) => make(request.tool, kind, reason, action, where);

  if (settings.mode === "read_only") return result("deny", "read-only mode refuses commands");
  if (execution.kind === "unavailable") return result("deny", `${request.tool} is disabled: ${execution.detail}`);
  const { analysis } = request;
  if (!analysis.ok && analysis.kind === "unparseable") {
    return result("ask", `the command could not be parsed (${analysis.reason}), so it cannot be checked part by part`);
  }
  const sandboxed = execution.kind === "sandboxed";
  if (settings.mode === "full_auto" && sandboxed) return result("allow", "full auto: runs inside the sandbox");
  if (!analysis.ok) return result("ask", `the command uses ${analysis.reason}, which the allowlist cannot vouch for`);
  if (toolAllowed(settings, request.tool) && sandboxed) return result("allow", `${request.tool} is always allowed (inside the sandbox)`);

  const problems = commandProblems(analysis.commands, request.workspace, settings);
  if (problems.length === 0) {
    const parts = analysis.commands.map((c) => `\`${c.source}\``).join(", ");
    return result("allow", `every part is allowlisted: ${parts}${sandboxed ? "" : " (NOT sandboxed)"}`);
  }
  const prefix = settings.mode === "full_auto" ? "full auto does not auto-run unsandboxed commands; " : "";
  return result("ask", prefix + problems.join("; "));
}

function commandProblems(commands: SimpleCommand[], workspace: string, settings: PolicySettings): string[] {
  const problems: string[] = [];
  // After a `cd`, relative redirect targets no longer resolve against the workspace.
  const movesCwd = commands.some((c) => ["cd", "pushd", "popd"].includes(c.argv[0]?.value ?? ""));
  for (const cmd of commands) {
    const match = matchCommand(cmd, settings.allowedCommands ?? []);
    if (!match.allowed) problems.push(match.reason);
    for (const redirect of cmd.redirects) {
      const problem = redirectProblem(redirect, workspace, movesCwd, settings);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

const HARMLESS_TARGETS = new Set(["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"]);

/**
 * A target with an expansion can run code whatever the redirection does (`< ${_@P}`, `<<< ${PATH:$_}`).
 * A redirection that writes a file is a write: allowed only where edits run, inside the workspace, unprotected.
 */
function redirectProblem(redirect: ShellRedirect, workspace: string, movesCwd: boolean, settings: PolicySettings): string | null {
  if (redirect.target.expands) return `\`${redirect.op} ${redirect.target.source}\` has an expansion, which the allowlist never vouches for`;
  if (redirect.kind !== "write") return null;
  const target = redirect.target.value;
  if (target === null) return `\`${redirect.op} ${redirect.target.source}\` writes to a path computed at run time`;
  if (HARMLESS_TARGETS.has(target)) return null;
  if (movesCwd && !target.startsWith("/")) return `\`${redirect.op} ${target}\` writes relative to a directory changed by cd`;
  const inside = relativeInside(workspace, resolvePosix(workspace, target));
  if (inside === null) return `\`${redirect.op} ${target}\` writes outside the workspace`;
  if (isProtectedPath(inside)) return `\`${redirect.op} ${target}\` writes a protected path`;
  if (!editsRun(settings)) return `\`${redirect.op} ${target}\` writes a file, and writes need approval in ask mode`;
  return null;
}

function decideFetch(request: RequestOf<"network">, settings: PolicySettings): Decision {
  const result = (kind: DecisionKind, reason: string) => make(request.tool, kind, reason, `GET ${request.url}`, `the network (${request.host})`);
  if (!request.enabled) return result("deny", `${request.tool} is off for this workspace`);
  if (!request.hostAllowed) return result("deny", `${request.host} is not in this workspace's fetch allowlist`);
  if (settings.mode === "read_only") return result("deny", "read-only mode refuses network access");
  if (settings.mode === "full_auto") return result("allow", "full auto: the host is allowlisted");
  if (toolAllowed(settings, request.tool)) return result("allow", `${request.tool} is always allowed for allowlisted hosts`);
  return result("ask", "fetching a URL sends data off this machine");
}

function whereCommandRuns(request: RequestOf<"command">): string {
  const { execution } = request;
  switch (execution.kind) {
    case "sandboxed":
      return `${request.workspace} (sandbox: ${execution.detail}; network ${execution.network ? "ON" : "off"}; timeout ${execution.timeoutS} s)`;
    case "unsandboxed":
      return `${request.workspace} (NOT sandboxed: runs with your account's full permissions; timeout ${execution.timeoutS} s)`;
    case "unavailable":
      return `${request.workspace} (nowhere: ${execution.detail})`;
  }
}

function modeLabel(mode: PolicyMode): string {
  return { ask: "ask mode", auto_edit: "auto-edit mode", full_auto: "full auto", read_only: "read-only mode" }[mode];
}
