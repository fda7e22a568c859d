import { AppError } from "../../../app/contract/errors";
import type { AppErrorData } from "../../../app/contract/errors";
import { decide } from "../../../app/agent/policy";
import type { Decision, PolicySettings, ToolRequest } from "../../../app/agent/policy";
import type { McpToolRequest } from "../../../app/agent/mcp-policy";
import { isMcpToolName } from "../../../app/agent/types";
import type { McpToolName } from "../../../app/agent/types";
import { AGENT_TOOLS, isToolName } from "../../../app/agent/tool-definitions";
import type { ToolArgs, ToolName } from "../../../app/agent/tool-definitions";
import type { ToolContext } from "./context";
import { TOOL_IMPLEMENTATIONS } from "./implementations";
import type { ToolOutput } from "./output";

/**
 * How the agent loop runs a tool call:
 *   const prepared = await prepareToolCall(ctx, call);   // validates, resolves paths, parses commands
 *   const decision = decideToolCall(prepared, policy);    // allow | ask | deny, with what and where
 *   if (decision.kind === "ask") approved = await askUser(decision);
 *   const result = await executeToolCall(ctx, prepared, { userApproved: approved });
 * or all of it at once with runToolCall(ctx, call, policy, askUser).
 * executeToolCall only runs a call whose decision came from decideToolCall for that very object.
 */

export interface ToolCallInput {
  id?: string;
  name: string;
  /** JSON text as the model produced it, or an already-parsed object. */
  arguments: string | Record<string, unknown>;
}

/** A call to a tool of one of the run's MCP servers (ctx.mcp). */
export interface PreparedMcpCall {
  id: string;
  name: McpToolName;
  args: Record<string, unknown>;
  request: McpToolRequest;
}

/** A call to built-in tool N, its arguments checked against N's schema. */
export interface PreparedToolCall<N extends ToolName> {
  id: string;
  name: N;
  args: ToolArgs[N];
  request: ToolRequest;
}

export type PreparedCall = { [N in ToolName]: PreparedToolCall<N> }[ToolName] | PreparedMcpCall;

function isMcpCall(prepared: PreparedCall): prepared is PreparedMcpCall {
  return isMcpToolName(prepared.name);
}

export type ToolResult =
  | ({ ok: true } & ToolOutput)
  | { ok: false; content: string; error: AppErrorData };

const decisions = new WeakMap<PreparedCall, Decision>();
let callCounter = 0;

function parseArguments(name: string, raw: ToolCallInput["arguments"]): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", `The arguments for ${name} are not valid JSON.`, { reason: "bad_arguments_json", tool: name });
  }
}

export async function prepareToolCall(ctx: ToolContext, call: ToolCallInput): Promise<PreparedCall> {
  const mcpTool = ctx.mcp?.tool(call.name);
  if (ctx.mcp && mcpTool) {
    const args = parseArguments(call.name, call.arguments);
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new AppError("bad_request", `The arguments for ${call.name} must be a JSON object.`, { reason: "bad_arguments", tool: call.name });
    }
    const record = args as Record<string, unknown>;
    return { id: call.id ?? `call-${++callCounter}`, name: mcpTool.name, args: record, request: ctx.mcp.request(mcpTool, record) };
  }
  if (!isToolName(call.name)) {
    throw new AppError("bad_request", `There is no tool named ${call.name}.`, { reason: "unknown_tool", tool: call.name });
  }
  const name = call.name;
  const parsed = AGENT_TOOLS[name].args.safeParse(parseArguments(name, call.arguments));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`).join("; ");
    throw new AppError("bad_request", `Invalid arguments for ${name}: ${issues}`, { reason: "bad_arguments", tool: name, issues: parsed.error.issues });
  }
  const id = call.id ?? `call-${++callCounter}`;
  return { id, name, args: parsed.data, request: await toRequest(ctx, name, parsed.data) } as PreparedCall;
}

async function toRequest<N extends ToolName>(ctx: ToolContext, name: N, args: ToolArgs[N]): Promise<ToolRequest> {
  return TOOL_IMPLEMENTATIONS[name].request(ctx, args);
}

function runTool<N extends ToolName>(ctx: ToolContext, prepared: PreparedToolCall<N>): Promise<ToolOutput> | ToolOutput {
  return TOOL_IMPLEMENTATIONS[prepared.name].run(ctx, prepared.args);
}

export function decideToolCall(prepared: PreparedCall, policy: PolicySettings): Decision {
  const decision = decide(prepared.request, policy);
  decisions.set(prepared, decision);
  return decision;
}

export async function executeToolCall(ctx: ToolContext, prepared: PreparedCall, approval: { userApproved: boolean }): Promise<ToolOutput> {
  const decision = decisions.get(prepared);
  if (!decision) throw new AppError("unauthorized", "This tool call was not checked against the policy.", { reason: "no_decision", tool: prepared.name });
  if (decision.kind === "deny") throw new AppError("unauthorized", `Refused: ${decision.reason}.`, { reason: "denied_by_policy", tool: prepared.name });
  if (decision.kind === "ask" && !approval.userApproved) {
    throw new AppError("unauthorized", `Not approved: ${decision.reason}.`, { reason: "approval_required", tool: prepared.name });
  }
  decisions.delete(prepared); // one decision, one execution
  if (isMcpCall(prepared)) {
    if (!ctx.mcp) throw new AppError("internal", "This run has no MCP servers.", { reason: "mcp_unavailable", tool: prepared.name });
    return ctx.mcp.call(prepared.name, prepared.args, ctx.signal);
  }
  return runTool(ctx, prepared);
}

/** The user's answer to an approval: yes, no, or no with a reason the model is told in the tool result. */
export type ApprovalAnswer = boolean | { approved: false; reason: string };

export interface ToolRun {
  /** null when the call never got as far as the policy (unknown tool, bad arguments, bad path). */
  decision: Decision | null;
  approved: boolean;
  result: ToolResult;
}

function failure(error: unknown): ToolResult {
  const app = AppError.from(error);
  return { ok: false, content: `Error: ${app.message}`, error: app.toData() };
}

/** The whole round: errors come back as results the model can read, never as throws. */
export async function runToolCall(
  ctx: ToolContext,
  call: ToolCallInput,
  policy: PolicySettings,
  ask: (decision: Decision, prepared: PreparedCall) => Promise<ApprovalAnswer>,
): Promise<ToolRun> {
  let prepared: PreparedCall;
  try {
    prepared = await prepareToolCall(ctx, call);
  } catch (error) {
    return { decision: null, approved: false, result: failure(error) };
  }
  const decision = decideToolCall(prepared, policy);
  const answer = decision.kind === "ask" ? await ask(decision, prepared) : decision.kind === "allow";
  const approved = answer === true;
  if (!approved) {
    const userReason = typeof answer === "object" ? answer.reason : "";
    const why =
      decision.kind === "deny" ? `Refused by policy: ${decision.reason}.` : userReason ? `The user declined this action: ${userReason}` : "The user declined this action.";
    return { decision, approved, result: { ok: false, content: why, error: { code: "unauthorized", message: why, details: { reason: decision.kind === "deny" ? "denied_by_policy" : "declined_by_user" } } } };
  }
  try {
    const output = await executeToolCall(ctx, prepared, { userApproved: decision.kind === "ask" });
    return { decision, approved, result: { ok: true, ...output } };
  } catch (error) {
    return { decision, approved, result: failure(error) };
  }
}
