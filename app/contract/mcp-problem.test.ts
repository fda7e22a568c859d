import { describe, expect, it } from "vitest";
import { validationIssues } from "./errors";
import { mcpProblemDetails, McpProblemDetailsSchema, mcpProblems, type McpProblemDetails } from "./mcp-problem";

/** One of each reason, with the fields main/agent/mcp gives it. */
const SAMPLES: Record<McpProblemDetails["reason"], McpProblemDetails> = {
  bad_mcp_config: { reason: "bad_mcp_config", issues: [{ path: ["mcpServers", "bad", "command"], message: "Too small" }] },
  no_workspace_mcp_config: { reason: "no_workspace_mcp_config", problems: [{ file: "/w/.m2d/mcp.json", server: null, message: "not valid JSON" }] },
  mcp_config_changed: { reason: "mcp_config_changed", sha256: "a".repeat(64) },
  unsandboxed_workspace_server: { reason: "unsandboxed_workspace_server" },
  sandbox_unavailable: { reason: "sandbox_unavailable", detail: "bwrap is not installed" },
  read_only_path_refused: { reason: "read_only_path_refused", refused: [{ path: "/home/u/.ssh", reason: "holds credentials" }] },
  unknown_tool: { reason: "unknown_tool", tool: "mcp__gh__nope" },
  mcp_unavailable: { reason: "mcp_unavailable", tool: "mcp__gh__x" },
  mcp_server_unavailable: { reason: "mcp_server_unavailable", server: "gh" },
  mcp_server_exited: { reason: "mcp_server_exited", server: "gh" },
  mcp_timeout: { reason: "mcp_timeout", server: "gh" },
  mcp_error: { reason: "mcp_error", server: "gh", mcpCode: -32602 },
  mcp_tool_error: { reason: "mcp_tool_error", server: "gh" },
  aborted: { reason: "aborted", server: "gh" },
};

describe("MCP problems in the contract", () => {
  it("lists every reason once", () => {
    expect([...mcpProblems].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(Object.values(SAMPLES))("$reason round-trips through the schema", (details) => {
    expect(McpProblemDetailsSchema.parse(JSON.parse(JSON.stringify(details)))).toEqual(details);
    expect(mcpProblemDetails({ details })).toEqual(details);
  });

  it("refuses an unknown reason, a missing field and a field the reason does not carry", () => {
    expect(mcpProblemDetails({ details: { reason: "mcp_exploded", server: "gh" } })).toBeUndefined();
    expect(mcpProblemDetails({ details: { reason: "mcp_timeout" } })).toBeUndefined();
    expect(mcpProblemDetails({ details: { reason: "unsandboxed_workspace_server", path: "/x" } })).toBeUndefined();
    expect(mcpProblemDetails({ details: undefined })).toBeUndefined();
  });

  it("reads the issues of a contract-validation error, and nothing from other details", () => {
    const issues = [{ code: "too_small", path: ["config", "mcpServers", "x", "command"], message: "Too small" }];
    expect(validationIssues({ details: { issues } })).toEqual([{ path: ["config", "mcpServers", "x", "command"], message: "Too small" }]);
    expect(validationIssues({ details: SAMPLES.mcp_timeout })).toBeUndefined();
  });
});
