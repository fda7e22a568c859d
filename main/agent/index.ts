/** The agent workspace's backend API: sandbox, path guard, command analysis, tools. */
export { detectSandbox } from "./sandbox/detect";
export { runSandboxed } from "./sandbox/runner";
export { DEFAULT_LIMITS } from "./sandbox/types";
export type { ProcessLimitKind, RunRequest, RunResult, SandboxCapability, SandboxLimits } from "./sandbox/types";
export { seatbeltProfile, sandboxExecArgv } from "./sandbox/macos-profile";
export { PathGuard } from "./paths";
export type { ResolvedPath } from "./paths";
export { resolveWorkspaceRoot } from "./workspace";
export { analyzeCommand } from "./shell/analyze";
export { TOOL_DEFINITIONS } from "./tools/schemas";
export type { M2ToolDefinition, ToolArgs } from "./tools/schemas";
export { createToolContext, DEFAULT_TOOL_SETTINGS } from "./tools/context";
export type { ToolContext, ToolSettings } from "./tools/context";
export { decideToolCall, executeToolCall, prepareToolCall, runToolCall } from "./tools/registry";
export type { PreparedCall, ToolCallInput, ToolResult, ToolRun } from "./tools/registry";
export type { ToolOutput } from "./tools/output";
export { revertCheckpoint } from "./tools/checkpoint";
export type { RevertResult } from "./tools/checkpoint";
