/** The agent's pure policy layer: modes, allowlists, decisions. */
export { decide, shellQuote } from "./policy";
export type { CommandExecution, Decision, DecisionKind, PolicySettings, ToolRequest } from "./policy";
export { matchCommand, parseAllowPattern } from "./command-match";
export type { AllowPattern, CommandMatch } from "./command-match";
export type { CommandAnalysis, RedirectKind, ShellRedirect, ShellWord, SimpleCommand } from "./command";
export { hostAllowed } from "./fetch-allow";
export { isProtectedPath, SANDBOX_READONLY_PATHS } from "./protected-paths";
export { AGENT_TOOLS, alwaysAllowedByCommands, isToolName, TOOL_NAMES, toolDefinition } from "./tool-definitions";
export type { ToolArgs, ToolDefinition, ToolName, ToolPolicyClass } from "./tool-definitions";
export { POLICY_MODES } from "./types";
export type { PolicyMode } from "./types";
