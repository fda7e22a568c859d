import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PolicyMode } from "../../../app/agent/types";
import { AGENT_TOOLS, TOOL_NAMES, alwaysAllowedByCommands, isToolName, toolDefinition } from "../../../app/agent/tool-definitions";
import type { ToolArgs, ToolName } from "../../../app/agent/tool-definitions";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { TOOL_IMPLEMENTATIONS } from "./implementations";
import { decideToolCall, executeToolCall, prepareToolCall } from "./registry";
import { TOOL_DEFINITIONS } from "./schemas";

/** What each tool is, spelled out once more by hand: a change to a definition has to change this table too. */
const EXPECTED: Record<ToolName, { policy: string; parallelSafe: boolean; changesFiles: boolean; pathArg: string | null }> = {
  list_files: { policy: "read", parallelSafe: true, changesFiles: false, pathArg: "path" },
  read_file: { policy: "read", parallelSafe: true, changesFiles: false, pathArg: "path" },
  write_file: { policy: "write", parallelSafe: false, changesFiles: true, pathArg: "path" },
  edit_file: { policy: "write", parallelSafe: false, changesFiles: true, pathArg: "path" },
  search: { policy: "read", parallelSafe: true, changesFiles: false, pathArg: "path" },
  run_command: { policy: "command", parallelSafe: false, changesFiles: false, pathArg: null },
  fetch_url: { policy: "network", parallelSafe: false, changesFiles: false, pathArg: null },
  todo: { policy: "plan", parallelSafe: true, changesFiles: false, pathArg: null },
  check_page: { policy: "read", parallelSafe: true, changesFiles: false, pathArg: "path" },
};

/** A valid call per tool, on files the workspace below holds. */
const CALLS: { [N in ToolName]: ToolArgs[N] } = {
  list_files: { path: "." },
  read_file: { path: "a.txt" },
  write_file: { path: "new.txt", content: "new\n" },
  edit_file: { path: "a.txt", old_string: "alpha", new_string: "beta" },
  search: { pattern: "alpha" },
  run_command: { command: "true" },
  fetch_url: { url: "http://127.0.0.1:9/" },
  todo: { items: [{ content: "check the definitions", status: "in_progress" }] },
  check_page: { path: "page.html" },
};

/** What each policy class decides in each mode, for the calls above (fetch allowlisted, commands not). */
const DECISIONS: Record<string, Record<PolicyMode, string>> = {
  read: { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" },
  plan: { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" },
  write: { ask: "ask", auto_edit: "allow", full_auto: "allow", read_only: "deny" },
  command: { ask: "ask", auto_edit: "ask", full_auto: "ask", read_only: "deny" },
  network: { ask: "ask", auto_edit: "ask", full_auto: "allow", read_only: "deny" },
};

let root: string;
let ws: string;

async function context(): Promise<ToolContext> {
  // No sandbox, unsandboxed allowed: run_command is decided as a command (it asks), never as "unavailable".
  return createToolContext({
    workspace: ws,
    checkpointDir: join(root, "checkpoints"),
    settings: { allowUnsandboxed: true, fetch: { enabled: true, allowedHosts: ["127.0.0.1"] } },
    sandbox: { kind: "none", reason: "not used by this test" },
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-tool-defs-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "a.txt"), "alpha\n");
  writeFileSync(join(ws, "page.html"), "<title>t</title>");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("one definition per tool", () => {
  test("every tool has the policy class, parallel safety, file changes and card path the table says", () => {
    expect(TOOL_NAMES).toEqual(Object.keys(EXPECTED));
    for (const name of TOOL_NAMES) {
      const { policy, parallelSafe, changesFiles, pathArg } = AGENT_TOOLS[name];
      expect({ name, policy, parallelSafe, changesFiles, pathArg }).toEqual({ name, ...EXPECTED[name] });
      if (pathArg) expect(Object.keys(AGENT_TOOLS[name].args.shape)).toContain(pathArg);
    }
  });

  test("only reads and the plan run side by side: a tool that writes, runs a command or reaches the network runs alone", () => {
    for (const name of TOOL_NAMES) {
      const { policy, parallelSafe } = AGENT_TOOLS[name];
      expect({ name, parallelSafe }).toEqual({ name, parallelSafe: policy === "read" || policy === "plan" });
    }
  });

  test("every tool has an implementation and a prompt schema, and nothing else does", () => {
    expect(Object.keys(TOOL_IMPLEMENTATIONS)).toEqual(TOOL_NAMES);
    for (const impl of Object.values(TOOL_IMPLEMENTATIONS)) {
      expect(typeof impl.request).toBe("function");
      expect(typeof impl.run).toBe("function");
    }
    expect(TOOL_DEFINITIONS.map((d) => d.function.name)).toEqual(TOOL_NAMES);
    for (const d of TOOL_DEFINITIONS) {
      expect(d.function.description).toBe(AGENT_TOOLS[d.function.name as ToolName].description);
      expect(d.function.parameters).toMatchObject({ type: "object", additionalProperties: false });
    }
  });

  test("the tools the model sees are byte for byte the prompt the tests were written against", () => {
    expect(JSON.stringify(TOOL_DEFINITIONS)).toBe(readFileSync(new URL("./tool-prompt.golden.json", import.meta.url), "utf8"));
  });

  test("MCP tools have no built-in definition: they stay sequential, with their own policy", () => {
    for (const name of ["mcp__files__read", "mcp", "constructor", "__proto__"]) {
      expect(isToolName(name)).toBe(false);
      expect(toolDefinition(name)).toBeNull();
      expect(alwaysAllowedByCommands(name)).toBe(false);
    }
    expect(TOOL_NAMES.filter(alwaysAllowedByCommands)).toEqual(["run_command"]);
  });
});

describe("the policy decides each tool by its class", () => {
  test.each(TOOL_NAMES)("%s: prepared for real, decided as its class in every mode", async (name) => {
    const ctx = await context();
    const decided: Record<string, string> = {};
    for (const mode of Object.keys(DECISIONS["read"]!) as PolicyMode[]) {
      const prepared = await prepareToolCall(ctx, { name, arguments: CALLS[name] as Record<string, unknown> });
      expect(prepared.request.tool).toBe(name);
      const decision = decideToolCall(prepared, { mode });
      expect(decision.tool).toBe(name);
      decided[mode] = decision.kind;
    }
    expect(decided).toEqual(DECISIONS[AGENT_TOOLS[name].policy]);
  });
});

describe("a tool that changes files says so", () => {
  // The tools that run without a browser, a shell or a network: each leaves a checkpoint exactly when its definition says it changes files.
  test.each(["list_files", "read_file", "search", "todo", "write_file", "edit_file"] as const)("%s", async (name) => {
    const ctx = await context();
    const prepared = await prepareToolCall(ctx, { name, arguments: CALLS[name] as Record<string, unknown> });
    decideToolCall(prepared, { mode: "full_auto" });
    const output = await executeToolCall(ctx, prepared, { userApproved: false });
    expect({ name, checkpoint: output.checkpointId !== undefined }).toEqual({ name, checkpoint: AGENT_TOOLS[name].changesFiles });
  });
});
