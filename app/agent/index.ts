/** The agent's pure policy layer: modes, allowlists, decisions. */
export { decide, shellQuote } from "./policy";
export type { CommandExecution, Decision, DecisionKind, PolicySettings, ToolRequest } from "./policy";
export { matchCommand, parseAllowPattern } from "./command-match";
export type { AllowPattern, CommandMatch } from "./command-match";
export type { CommandAnalysis, RedirectKind, ShellRedirect, ShellWord, SimpleCommand } from "./command";
export { hostAllowed } from "./fetch-allow";
export { isProtectedPath, SANDBOX_READONLY_PATHS } from "./protected-paths";
export { isToolName, POLICY_MODES, TOOL_NAMES } from "./types";
export type { PolicyMode, ToolName } from "./types";
