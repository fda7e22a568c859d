import { describe, expect, test } from "vitest";
import type { CommandAnalysis, ShellRedirect, ShellWord, SimpleCommand } from "./command";
import { decide } from "./policy";
import type { CommandExecution, PolicySettings, ToolRequest } from "./policy";
import type { PolicyMode } from "./types";

const WS = "/work/project";
const SANDBOXED: CommandExecution = { kind: "sandboxed", detail: "bubblewrap", network: false, timeoutS: 120 };

/** A static word, or (null) one with an expansion. */
function word(value: string | null, source = value ?? "$X"): ShellWord {
  return { source, value, expands: value === null };
}

function cmd(argv: (string | null)[], extra: Partial<SimpleCommand> = {}): SimpleCommand {
  return { source: argv.map((a) => a ?? "$X").join(" "), assignments: [], argv: argv.map((a) => word(a)), redirects: [], nesting: [], background: false, ...extra };
}

function redirect(op: string, target: string | null, kind: ShellRedirect["kind"] = "write"): ShellRedirect {
  return { op, fd: null, target: word(target), kind };
}

function command(commands: SimpleCommand[], execution = SANDBOXED): ToolRequest {
  const analysis: CommandAnalysis = { ok: true, source: commands.map((c) => c.source).join(" && "), commands };
  return { tool: "run_command", workspace: WS, command: analysis.source, analysis, execution };
}

const modes: PolicyMode[] = ["ask", "auto_edit", "full_auto", "read_only"];

describe("modes", () => {
  const table: [ToolRequest, Record<PolicyMode, string>][] = [
    [{ tool: "read_file", workspace: WS, path: "a.ts" }, { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" }],
    [{ tool: "list_files", workspace: WS, path: "." }, { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" }],
    [{ tool: "search", workspace: WS, path: "src" }, { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" }],
    [{ tool: "todo", summary: "plan" }, { ask: "allow", auto_edit: "allow", full_auto: "allow", read_only: "allow" }],
    [{ tool: "write_file", workspace: WS, path: "a.ts" }, { ask: "ask", auto_edit: "allow", full_auto: "allow", read_only: "deny" }],
    [{ tool: "edit_file", workspace: WS, path: "a.ts" }, { ask: "ask", auto_edit: "allow", full_auto: "allow", read_only: "deny" }],
    [command([cmd(["make"])]), { ask: "ask", auto_edit: "ask", full_auto: "allow", read_only: "deny" }],
    [
      { tool: "fetch_url", url: "https://docs.python.org/3/", host: "docs.python.org", enabled: true, hostAllowed: true },
      { ask: "ask", auto_edit: "ask", full_auto: "allow", read_only: "deny" },
    ],
  ];
  for (const [request, expected] of table) {
    for (const mode of modes) {
      test(`${request.tool} in ${mode} → ${expected[mode]}`, () => {
        const decision = decide(request, { mode });
        expect(decision.kind).toBe(expected[mode]);
        expect(decision.tool).toBe(request.tool);
        expect(decision.reason.length).toBeGreaterThan(5);
      });
    }
  }
});

describe("writes", () => {
  test("protected paths are denied in every mode, even with write_file always allowed", () => {
    for (const path of [".git/hooks/pre-commit", ".git/config", "sub/.envrc", ".m2d/settings.json", ".bashrc", ".GIT/config"]) {
      for (const mode of ["ask", "auto_edit", "full_auto"] as const) {
        const decision = decide({ tool: "write_file", workspace: WS, path }, { mode, allowedTools: ["write_file"] });
        expect(decision.kind, `${path} in ${mode}`).toBe("deny");
        expect(decision.reason).toContain("protected");
      }
    }
  });

  test("the per-tool allowlist lets writes run in ask mode, and says what and where", () => {
    const decision = decide({ tool: "write_file", workspace: WS, path: "src/a.ts" }, { mode: "ask", allowedTools: ["write_file"] });
    expect(decision).toMatchObject({ kind: "allow", action: "write src/a.ts", where: WS });
  });

  test("the tool allowlist never lifts read-only mode", () => {
    expect(decide({ tool: "write_file", workspace: WS, path: "a" }, { mode: "read_only", allowedTools: ["write_file"] }).kind).toBe("deny");
  });
});

describe("commands against the allowlist", () => {
  const ask: PolicySettings = { mode: "ask", allowedCommands: ["npm test", "npm run *", "git status"] };

  test("an allowlisted command runs, and the decision shows the exact command line and the sandbox", () => {
    const decision = decide(command([cmd(["npm", "test"])]), ask);
    expect(decision.kind).toBe("allow");
    expect(decision.action).toBe("bash -c 'npm test'");
    expect(decision.where).toBe(`${WS} (sandbox: bubblewrap; network off; timeout 120 s)`);
  });

  test("exact patterns do not match extra arguments; `*` patterns do", () => {
    expect(decide(command([cmd(["npm", "test", "--", "-u"])]), ask).kind).toBe("ask");
    expect(decide(command([cmd(["npm", "run", "build", "--watch"])]), ask).kind).toBe("allow");
    expect(decide(command([cmd(["npm", "run"])]), ask).kind).toBe("allow");
  });

  test("every part of a chain must be allowed", () => {
    const decision = decide(command([cmd(["npm", "test"]), cmd(["rm", "-rf", null])]), ask);
    expect(decision.kind).toBe("ask");
    expect(decision.reason).toContain("`rm -rf $X` is not in the command allowlist");
    expect(decide(command([cmd(["npm", "test"]), cmd(["git", "status"])]), ask).kind).toBe("allow");
  });

  test("a command name computed at run time, or a dynamic word where a literal is required, never matches", () => {
    expect(decide(command([cmd([null, "test"])]), ask).reason).toContain("computed at run time");
    expect(decide(command([cmd(["npm", null])]), ask).kind).toBe("ask");
  });

  test("environment assignments never match (PATH=… npm test runs another npm)", () => {
    const decision = decide(command([cmd(["npm", "test"], { assignments: [word("PATH=/tmp/evil")] })]), ask);
    expect(decision.kind).toBe("ask");
    expect(decision.reason).toContain("sets environment variables");
  });

  test("a redirection to a file is a write: asks in ask mode, runs in auto-edit only inside the workspace", () => {
    const toFile = command([cmd(["npm", "test"], { redirects: [redirect(">", "out.log")] })]);
    expect(decide(toFile, ask).kind).toBe("ask");
    expect(decide(toFile, { ...ask, mode: "auto_edit" }).kind).toBe("allow");
    const outside = command([cmd(["npm", "test"], { redirects: [redirect(">", "../x")] })]);
    expect(decide(outside, { ...ask, mode: "auto_edit" }).reason).toContain("outside the workspace");
    const home = command([cmd(["npm", "test"], { redirects: [redirect(">", null)] })]);
    expect(decide(home, { ...ask, mode: "auto_edit" }).reason).toContain("has an expansion");
    const glob = command([cmd(["npm", "test"], { redirects: [{ op: ">", fd: null, target: { source: "*.log", value: null, expands: false }, kind: "write" }] })]);
    expect(decide(glob, { ...ask, mode: "auto_edit" }).reason).toContain("computed at run time");
    const hook = command([cmd(["npm", "test"], { redirects: [redirect(">>", ".git/hooks/pre-commit")] })]);
    expect(decide(hook, { ...ask, mode: "auto_edit" }).reason).toContain("protected");
  });

  test("redirections that write nothing (/dev/null, fd duplication, input) do not count as writes", () => {
    const quiet = command([cmd(["npm", "test"], { redirects: [redirect(">", "/dev/null"), redirect(">&", "1", "fd"), redirect("<", "in.txt", "read")] })]);
    expect(decide(quiet, ask).kind).toBe("allow");
  });

  test("after a cd, relative redirect targets cannot be placed, so they ask", () => {
    const moved = command([cmd(["cd", ".."]), cmd(["npm", "test"], { redirects: [redirect(">", "x")] })]);
    expect(decide(moved, { mode: "auto_edit", allowedCommands: ["cd *", "npm test"] }).reason).toContain("changed by cd");
  });

  test("unparseable commands always ask, even in full auto; unsupported ones run in full auto's sandbox only", () => {
    const unparseable: ToolRequest = { tool: "run_command", workspace: WS, command: "a && (b", analysis: { ok: false, source: "a && (b", kind: "unparseable", reason: "reached EOF" }, execution: SANDBOXED };
    expect(decide(unparseable, { mode: "full_auto" }).kind).toBe("ask");
    expect(decide(unparseable, { mode: "ask", allowedTools: ["run_command"] }).kind).toBe("ask");
    const loop: ToolRequest = { ...unparseable, command: "for i in 1; do x; done", analysis: { ok: false, source: "for", kind: "unsupported", reason: "the shell keyword `for`" } };
    expect(decide(loop, { mode: "full_auto" }).kind).toBe("allow");
    expect(decide(loop, ask).kind).toBe("ask");
  });

  test("without a sandbox: refused unless the workspace opted in; then never auto-run by mode, and flagged", () => {
    const unavailable = command([cmd(["npm", "test"])], { kind: "unavailable", detail: "bwrap is not installed", network: false, timeoutS: 120 });
    const refused = decide(unavailable, { mode: "full_auto" });
    expect(refused.kind).toBe("deny");
    expect(refused.reason).toContain("run_command is disabled: bwrap is not installed");
    const unsandboxed = command([cmd(["make"])], { kind: "unsandboxed", detail: "windows", network: true, timeoutS: 120 });
    const decision = decide(unsandboxed, { mode: "full_auto" });
    expect(decision.kind).toBe("ask");
    expect(decision.where).toContain("NOT sandboxed");
    expect(decide(command([cmd(["npm", "test"])], { kind: "unsandboxed", detail: "windows", network: true, timeoutS: 120 }), ask).reason).toContain("NOT sandboxed");
  });
});

describe("what “Always allow” would save, on every ask", () => {
  test("a command's exact words (never a wildcard); a tool's name; nothing on allow or deny", () => {
    const glob = cmd(["rm", "-rf"], { source: "rm -rf *" });
    glob.argv.push({ source: "*", value: null, expands: false });
    expect(decide(command([cmd(["npm", "test"]), glob]), { mode: "ask" }).alwaysAllow).toEqual({ ok: true, entries: ["npm test", "rm -rf glob:*"] });
    expect(decide({ tool: "write_file", workspace: WS, path: "a" }, { mode: "ask" }).alwaysAllow).toEqual({ ok: true, entries: ["write_file"] });
    expect(decide(command([cmd(["npm", "test"])]), { mode: "ask", allowedCommands: ["npm test"] }).alwaysAllow).toBeUndefined();
    expect(decide({ tool: "write_file", workspace: WS, path: "a" }, { mode: "read_only" }).alwaysAllow).toBeUndefined();
  });

  test("a command with an expansion cannot be saved, and says why", () => {
    expect(decide(command([cmd(["cat", null])]), { mode: "ask" }).alwaysAllow).toEqual({ ok: false, reason: "`cat $X` has a word computed at run time (`$X`)" });
  });
});

describe("fetch_url", () => {
  test("off by default and host-allowlisted, whatever the mode", () => {
    const off = decide({ tool: "fetch_url", url: "https://x.dev/", host: "x.dev", enabled: false, hostAllowed: true }, { mode: "full_auto" });
    expect(off).toMatchObject({ kind: "deny", reason: "fetch_url is off for this workspace" });
    const host = decide({ tool: "fetch_url", url: "https://x.dev/", host: "x.dev", enabled: true, hostAllowed: false }, { mode: "full_auto" });
    expect(host.reason).toContain("x.dev is not in this workspace's fetch allowlist");
  });
});

describe("a name that is no built-in tool", () => {
  test("is never decided, even one Object.prototype has, in the most permissive mode", () => {
    for (const tool of ["toString", "__proto__", "constructor", "hasOwnProperty", "nope"]) {
      const request = { tool, workspace: "/w", path: "a.txt" } as unknown as ToolRequest;
      expect(() => decide(request, { mode: "full_auto", allowedTools: [tool as never] })).toThrow(`No built-in tool is named ${tool}`);
    }
  });
});
