import { AppError, type ErrorCode } from "../../../app/contract/errors";
import type { McpProblemDetails } from "../../../app/contract/mcp-problem";

/** An MCP failure whose details are the contract's typed shape for its reason. */
export function mcpError(code: ErrorCode, message: string, details: McpProblemDetails): AppError {
  return new AppError(code, message, details);
}
