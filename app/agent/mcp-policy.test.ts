import { describe, expect, test } from "vitest";
import type { McpToolRequest } from "./mcp-policy";
import { decide } from "./policy";
import type { PolicyMode } from "./types";

function mcp(name: `mcp__${string}`, readOnlyHint: boolean, server = "gh"): McpToolRequest {
  return { tool: "mcp", name, server, remoteName: name.split("__")[2]!, readOnlyHint, action: `gh.${name} {}`, where: "MCP server `gh-mcp` (NOT sandboxed)" };
}

const modes: PolicyMode[] = ["ask", "auto_edit", "full_auto", "read_only"];

describe("MCP tools under the policy", () => {
  test.each([
    [mcp("mcp__gh__create_issue", false), { ask: "ask", auto_edit: "ask", full_auto: "allow", read_only: "deny" }],
    [mcp("mcp__gh__list_issues", true), { ask: "ask", auto_edit: "ask", full_auto: "allow", read_only: "ask" }],
  ] as const)("%o per mode", (request, expected) => {
    for (const mode of modes) expect(decide(request, { mode }).kind, mode).toBe(expected[mode]);
  });

  test("the decision names the prefixed tool and carries exactly what runs and where", () => {
    const decision = decide(mcp("mcp__gh__create_issue", false), { mode: "ask" });
    // (toMatchObject: the decision may also say what "Always allow" would save, which always-allow tests cover.)
    expect(decision).toMatchObject({
      kind: "ask",
      tool: "mcp__gh__create_issue",
      reason: "MCP tools run code outside M2's control and need your approval",
      action: "gh.mcp__gh__create_issue {}",
      where: "MCP server `gh-mcp` (NOT sandboxed)",
    });
  });

  test("allowlisted by name or by server wildcard, but never past read-only mode", () => {
    const request = mcp("mcp__gh__create_issue", false);
    expect(decide(request, { mode: "ask", allowedTools: ["mcp__gh__create_issue"] }).kind).toBe("allow");
    expect(decide(request, { mode: "auto_edit", allowedTools: ["mcp__gh__*"] }).kind).toBe("allow");
    expect(decide(request, { mode: "ask", allowedTools: ["mcp__g__*", "mcp__gh__create"] }).kind).toBe("ask");
    expect(decide(request, { mode: "read_only", allowedTools: ["mcp__gh__*"] }).kind).toBe("deny");
    expect(decide(mcp("mcp__gh__list_issues", true), { mode: "read_only", allowedTools: ["mcp__gh__*"] }).kind).toBe("ask");
  });

  test("attack: a server named gh__x (or gh_x, gh.x) against an allowlist for gh → asks; the allowlist matches the exact server", () => {
    const allowedTools = ["mcp__gh__*" as const, "mcp__gh__x__push" as const];
    for (const [server, name] of [
      ["gh__x", "mcp__gh__x__push"],
      ["gh_x", "mcp__gh_x__push"],
      ["gh.x", "mcp__gh_x__push"],
      ["ghx", "mcp__ghx__push"],
    ] as const) {
      expect(decide(mcp(name, false, server), { mode: "ask", allowedTools }).kind, server).toBe("ask");
    }
    expect(decide(mcp("mcp__gh__push", false, "gh"), { mode: "ask", allowedTools }).kind).toBe("allow");
    expect(decide(mcp("mcp__gh__x__push", false, "gh"), { mode: "ask", allowedTools: ["mcp__gh__*"] }).kind).toBe("allow");
    // A wildcard that itself names `gh__x` is no entry at all.
    expect(decide(mcp("mcp__gh__x__push", false, "gh"), { mode: "ask", allowedTools: ["mcp__gh__x__*" as const] }).kind).toBe("ask");
  });

  test("check_page reads the workspace: allowed in every mode", () => {
    for (const mode of modes) expect(decide({ tool: "check_page", workspace: "/w", path: "index.html" }, { mode }).kind).toBe("allow");
  });
});
