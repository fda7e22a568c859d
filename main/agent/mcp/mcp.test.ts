import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Decision } from "../../../app/agent/policy";
import type { McpServerConfig, McpServerEntry } from "../../../app/agent/mcp-config";
import type { AppError } from "../../../app/contract/errors";
import { mcpProblemDetails } from "../../../app/contract/mcp-problem";
import { parseServerEntry } from "../../../app/agent/mcp-config";
import { bundleEntry } from "../../downloads/testing/bundle";
import { detectSandbox } from "../sandbox/detect";
import type { SandboxCapability } from "../sandbox/types";
import { createToolContext } from "../tools/context";
import type { ToolContext } from "../tools/context";
import { runToolCall } from "../tools/registry";
import type { ToolRun } from "../tools/registry";
import { openDatabase } from "../../storage/database";
import { McpConsentStore } from "./consent";
import { approveWorkspaceMcp, listMcpServers, workspaceMcpConsent } from "./service";
import { saveAppMcpConfig } from "./config";
import { startHttpEchoServer } from "./testing/http-server";
import { McpToolbox } from "./toolbox";

function errorOf(result: ToolRun["result"]): AppError | { details?: unknown } {
  if (result.ok) throw new Error(`expected a failed call, got: ${result.content}`);
  return result.error;
}

let root: string;
let ws: string;
let bundle: { file: string; remove(): void };
let sandbox: SandboxCapability;
const open: McpToolbox[] = [];

function server(name: string, raw: Record<string, unknown>): McpServerConfig {
  const parsed = parseServerEntry(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return { name, source: "app", file: "(test)", entry: parsed.entry as McpServerEntry };
}

/**
 * The test server runs from node_modules/.cache with its packages external. A sandboxed one gets
 * node_modules shown read-only: a checkout under /tmp or /home (CI clones) is hidden by the sandbox's
 * tmpfs, as a user's own toolchain would be, and readOnlyPaths is how a config makes it visible.
 */
const echo = (extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [realpathSync(bundle.file)],
  ...(extra.sandboxed ? { readOnlyPaths: [realpathSync(join(process.cwd(), "node_modules"))] } : {}),
  ...extra,
});

async function toolbox(servers: McpServerConfig[]): Promise<McpToolbox> {
  const box = await McpToolbox.open(servers, { workspace: ws, sandbox, connectTimeoutMs: 20_000 });
  open.push(box);
  return box;
}

async function context(mcp: McpToolbox): Promise<ToolContext> {
  return createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox, mcp });
}

/** Runs one call the way the agent loop does, recording what the user was asked. */
async function call(ctx: ToolContext, name: string, args: Record<string, unknown>, mode: "ask" | "auto_edit" | "full_auto" | "read_only", answer = true) {
  const asked: Decision[] = [];
  const run: ToolRun = await runToolCall(ctx, { name, arguments: JSON.stringify(args) }, { mode }, async (decision) => {
    asked.push(decision);
    return answer;
  });
  return { run, asked };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-mcp-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  bundle = await bundleEntry(join(__dirname, "testing", "echo-server.ts"));
  sandbox = await detectSandbox();
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((box) => box.close()));
  bundle?.remove();
  rmSync(root, { recursive: true, force: true });
});

describe("a stdio MCP server", () => {
  test("its tools join the catalog as mcp__<server>__<tool>, with their JSON schemas", async () => {
    const box = await toolbox([server("echo", echo())]);
    const [status] = box.statuses();
    expect(status).toMatchObject({ name: "echo", state: "connected", transport: "stdio", sandboxed: false, error: null });
    const names = box.definitions().map((d) => d.function.name);
    expect(names).toEqual(["mcp__echo__echo", "mcp__echo__write", "mcp__echo__crash", "mcp__echo__slow", "mcp__echo__picture", "mcp__echo__env", "mcp__echo__confinement"]);
    const echoDef = box.definitions().find((d) => d.function.name === "mcp__echo__echo")!;
    expect(echoDef.function.parameters).toMatchObject({ type: "object", properties: { text: { type: "string" } }, required: ["text"] });
    expect(echoDef.function.description).toContain("Returns the text it was given.");
    expect(box.tool("mcp__echo__echo")).toMatchObject({ server: "echo", remoteName: "echo", readOnlyHint: true });
  });

  test("a server offering more tools than the cap has the rest left out, with a warning that says so", async () => {
    const box = await McpToolbox.open([server("echo", echo())], { workspace: ws, sandbox, connectTimeoutMs: 20_000, maxToolsPerServer: 2 });
    open.push(box);
    expect(box.definitions().map((d) => d.function.name)).toEqual(["mcp__echo__echo", "mcp__echo__write"]);
    expect(box.statuses()[0]!.warnings).toEqual([expect.stringContaining("5 of its 7 tools are left out: a server may offer at most 2")]);
    expect(box.tool("mcp__echo__crash")).toBeUndefined();
  });

  test("a call returns the server's result; Ask mode asks first and a declined call never reaches the server", async () => {
    const box = await toolbox([server("echo", echo())]);
    const ctx = await context(box);
    const asked = await call(ctx, "mcp__echo__echo", { text: "hi" }, "ask");
    expect(asked.asked).toHaveLength(1);
    expect(asked.asked[0]).toMatchObject({ kind: "ask", tool: "mcp__echo__echo", action: 'echo.echo {"text":"hi"}' });
    expect(asked.asked[0]!.where).toContain("NOT sandboxed");
    expect(asked.run.result).toMatchObject({ ok: true, content: "echo: hi" });

    const declined = await call(ctx, "mcp__echo__write", { path: "declined.txt", content: "x" }, "auto_edit", false);
    expect(declined.asked).toHaveLength(1);
    expect(declined.run.result).toMatchObject({ ok: false, error: { details: { reason: "declined_by_user" } } });
    expect(existsSync(join(ws, "declined.txt"))).toBe(false);

    const auto = await call(ctx, "mcp__echo__echo", { text: "auto" }, "full_auto");
    expect(auto.asked).toHaveLength(0);
    expect(auto.run.result).toMatchObject({ ok: true, content: "echo: auto" });
  });

  test("read-only mode refuses tools not marked readOnlyHint and asks for those that are", async () => {
    const ctx = await context(await toolbox([server("echo", echo())]));
    const write = await call(ctx, "mcp__echo__write", { path: "ro.txt", content: "x" }, "read_only");
    expect(write.asked).toHaveLength(0);
    expect(write.run.result).toMatchObject({ ok: false, error: { details: { reason: "denied_by_policy" } } });
    expect(existsSync(join(ws, "ro.txt"))).toBe(false);
    const read = await call(ctx, "mcp__echo__echo", { text: "ro" }, "read_only");
    expect(read.asked).toHaveLength(1);
    expect(read.run.result).toMatchObject({ ok: true, content: "echo: ro" });
  });

  test("images are summarised, not pasted; a tool error and bad arguments come back as typed results", async () => {
    const ctx = await context(await toolbox([server("echo", echo())]));
    const picture = await call(ctx, "mcp__echo__picture", {}, "full_auto");
    expect(picture.run.result).toMatchObject({ ok: true, content: "a red dot:\n[image: image/png, 300 bytes, not shown]" });
    const badArgs = await call(ctx, "mcp__echo__echo", { text: 42 }, "full_auto");
    expect(badArgs.run.result.ok).toBe(false);
    expect(badArgs.run.result.content).toMatch(/echo\.echo|Input validation|text/);
    const notObject = await runToolCall(ctx, { name: "mcp__echo__echo", arguments: "[1]" }, { mode: "full_auto" }, async () => true);
    expect(notObject.result).toMatchObject({ ok: false, error: { code: "bad_request", details: { reason: "bad_arguments" } } });
    const unknown = await call(ctx, "mcp__echo__nope", {}, "full_auto");
    expect(unknown.run.result).toMatchObject({ ok: false, error: { details: { reason: "unknown_tool" } } });
  });

  test("a crashing server yields a typed error result, and later calls say it is gone; its neighbours go on", async () => {
    const box = await toolbox([server("doomed", echo()), server("steady", echo())]);
    const ctx = await context(box);
    const crash = await call(ctx, "mcp__doomed__crash", {}, "full_auto");
    expect(crash.run.result).toMatchObject({ ok: false, error: { code: "internal", details: { reason: "mcp_server_exited", server: "doomed" } } });
    expect(mcpProblemDetails(errorOf(crash.run.result))).toEqual({ reason: "mcp_server_exited", server: "doomed" });
    const after = await call(ctx, "mcp__doomed__echo", { text: "anyone?" }, "full_auto");
    expect(after.run.result).toMatchObject({ ok: false, error: { details: { reason: "mcp_server_exited" } } });
    expect(box.statuses().find((s) => s.name === "doomed")!.state).toBe("exited");
    const steady = await call(ctx, "mcp__steady__echo", { text: "still here" }, "full_auto");
    expect(steady.run.result).toMatchObject({ ok: true, content: "echo: still here" });
  });

  test("a call past the server's timeout is a typed timeout", async () => {
    const ctx = await context(await toolbox([server("slowpoke", echo({ timeoutS: 1 }))]));
    const slow = await call(ctx, "mcp__slowpoke__slow", { ms: 5000 }, "full_auto");
    expect(slow.run.result).toMatchObject({ ok: false, error: { details: { reason: "mcp_timeout", server: "slowpoke" } } });
    expect(mcpProblemDetails(errorOf(slow.run.result))).toEqual({ reason: "mcp_timeout", server: "slowpoke" });
    expect(slow.run.result.content).toContain("did not answer within 1 s");
  });

  test("a server that cannot start is reported; the others still start", async () => {
    const box = await toolbox([server("missing", { command: join(root, "no-such-server") }), server("echo", echo())]);
    const statuses = box.statuses();
    expect(statuses.find((s) => s.name === "missing")).toMatchObject({ state: "failed", tools: [] });
    expect(statuses.find((s) => s.name === "missing")!.error).toContain("ENOENT");
    expect(statuses.find((s) => s.name === "echo")!.state).toBe("connected");
    expect(box.tool("mcp__missing__echo")).toBeUndefined();
  });

  test("server names are sanitised into the prefix", async () => {
    const box = await toolbox([server("my.tools", echo())]);
    expect(box.tool("mcp__my_tools__echo")).toMatchObject({ server: "my.tools", remoteName: "echo" });
  });
});

describe("a streamable HTTP MCP server", () => {
  test("lists and calls tools with the configured headers; without them it is reported as failed", async () => {
    const http = await startHttpEchoServer("s3cret");
    try {
      const box = await toolbox([
        server("web", { url: http.url, headers: { Authorization: "Bearer s3cret" } }),
        server("nokey", { url: http.url }),
      ]);
      expect(box.statuses().find((s) => s.name === "web")).toMatchObject({ state: "connected", transport: "http" });
      expect(box.statuses().find((s) => s.name === "nokey")!.state).toBe("failed");
      expect(box.tool("mcp__web__echo")).toBeDefined();
      const ctx = await context(box);
      const asked = await call(ctx, "mcp__web__echo", { text: "over http" }, "ask");
      expect(asked.asked[0]!.where).toContain(http.url);
      expect(asked.run.result).toMatchObject({ ok: true, content: "echo: over http" });
    } finally {
      await http.close();
    }
  });
});

describe.runIf(process.platform === "linux")("a sandboxed stdio MCP server", () => {
  test("writes inside the workspace, but not to /etc, a folder outside or the home folder; sees a minimal env", async (ctx) => {
    if (sandbox.kind !== "bwrap") ctx.skip();
    const outside = mkdtempSync(join(existsSync("/var/cache") ? "/var/cache" : process.cwd(), "m2d-mcp-outside-"));
    const homeProbe = join(homedir(), `m2d-mcp-probe-${process.pid}`);
    try {
      const box = await toolbox([server("boxed", echo({ sandboxed: true, env: { GREETING: "hi there" } }))]);
      expect(box.statuses()[0]).toMatchObject({ state: "connected", sandboxed: true });
      const tools = await context(box);
      const inside = await call(tools, "mcp__boxed__write", { path: "inside.txt", content: "ok" }, "ask");
      expect(inside.asked[0]!.where).toContain("sandbox: bubblewrap");
      expect(inside.run.result).toMatchObject({ ok: true });
      expect(readFileSync(join(ws, "inside.txt"), "utf8")).toBe("ok");

      for (const target of ["/etc/m2d-mcp-probe", join(outside, "escaped.txt")]) {
        const run = await call(tools, "mcp__boxed__write", { path: target, content: "x" }, "full_auto");
        expect(run.run.result, target).toMatchObject({ ok: false, error: { details: { reason: "mcp_tool_error" } } });
        expect(run.run.result.content).toMatch(/EROFS|EACCES|EPERM/);
        expect(existsSync(target)).toBe(false);
      }
      // The home folder is an empty tmpfs inside: the write lands there and vanishes with the sandbox.
      await call(tools, "mcp__boxed__write", { path: homeProbe, content: "x" }, "full_auto");
      expect(existsSync(homeProbe)).toBe(false);

      const env = await call(tools, "mcp__boxed__env", {}, "full_auto");
      expect(env.run.result.content.split(",")).toEqual(expect.arrayContaining(["GREETING", "HOME", "PATH"]));
      expect(env.run.result.content).not.toMatch(/VITEST|NODE_OPTIONS|npm_/);

      // The same confinement as run_command: the seccomp filter (fd 3 through the wrapper) and no capabilities.
      const confinement = await call(tools, "mcp__boxed__confinement", {}, "full_auto");
      expect(confinement.run.result.content).toMatch(/^Seccomp:\s+2$/m);
      expect(confinement.run.result.content).toMatch(/^CapEff:\s+0+$/m);
      // Its processes count against a pids cgroup of their own where the machine has one, removed on close.
      if (sandbox.kind === "bwrap" && sandbox.cgroupParent && sandbox.processLimit.startsWith("cgroup")) {
        const parent = sandbox.cgroupParent;
        const ours = () => readdirSync(parent).filter((d) => d.startsWith(`m2d-run-${process.pid}-`) && readFileSync(join(parent, d, "cgroup.procs"), "utf8").trim() !== "");
        expect(ours()).toHaveLength(1);
        await box.close();
        expect(ours()).toHaveLength(0);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(homeProbe, { force: true });
    }
  });
});

describe("listing and saving the configuration", () => {
  test("lists app and workspace servers with their tools and problems; unapproved workspace servers are listed, not started; saving refuses a bad file and keeps the old one", async () => {
    const dataDir = join(root, "data");
    mkdirSync(join(ws, ".m2d"), { recursive: true });
    const db = openDatabase({ path: join(dataDir, "m2d.sqlite") });
    const consent = new McpConsentStore(db);
    try {
      await saveAppMcpConfig(dataDir, { mcpServers: { echo: echo(), gone: { command: join(root, "nowhere") } } });
      // The checkout's node_modules cannot be named by a workspace's file: it runs where / shows it.
      const { readOnlyPaths: _paths, ...boxed } = echo({ sandboxed: true });
      writeFileSync(
        join(ws, ".m2d", "mcp.json"),
        JSON.stringify({ mcpServers: { boxed, gone: boxed, rogue: { command: "/bin/sh", args: ["-c", "touch /tmp/pwned"] }, broken: { url: "ftp://x" } } }),
      );
      const listing = await listMcpServers(dataDir, ws, consent);
      expect(listing.appConfigFile).toBe(join(dataDir, "mcp.json"));
      expect(listing.servers.map((s) => [s.name, s.source, s.state])).toEqual([
        ["echo", "app", "connected"],
        ["gone", "app", "failed"],
        ["boxed", "workspace", "unapproved"],
      ]);
      expect(listing.servers[2]!.where).toContain(bundle.file);
      expect(listing.servers[0]!.tools.map((t) => t.name)).toContain("mcp__echo__echo");
      expect(listing.problems.map((p) => p.server)).toEqual(["rogue", "broken", "gone"]);
      expect(listing.problems[0]!.message).toContain("may only start sandboxed stdio servers");
      expect(listing.problems[1]!.message).toContain("url");
      expect(listing.problems[2]!.message).toContain("the app-level server gone");

      const checkoutVisible = !/^\/(tmp|var\/tmp|home|root|run)(\/|$)/.test(realpathSync(process.cwd()));
      const shown = await workspaceMcpConsent(dataDir, ws, consent);
      await approveWorkspaceMcp(dataDir, ws, shown.sha256!, consent);
      const approved = await listMcpServers(dataDir, ws, consent);
      expect(approved.servers[2]).toMatchObject({ name: "boxed", source: "workspace", state: sandbox.kind === "bwrap" && checkoutVisible ? "connected" : "failed" });

      const before = readFileSync(join(dataDir, "mcp.json"), "utf8");
      const refused = await saveAppMcpConfig(dataDir, { mcpServers: { bad: { command: "" } } } as never).catch((error: AppError) => error);
      expect(refused).toMatchObject({ code: "bad_request", details: { reason: "bad_mcp_config" } });
      // What the MCP settings list under the message, read through the contract's schema.
      expect(mcpProblemDetails(refused as AppError)).toMatchObject({ reason: "bad_mcp_config", issues: [{ path: ["mcpServers", "bad", "command"] }] });
      expect(readFileSync(join(dataDir, "mcp.json"), "utf8")).toBe(before);
    } finally {
      db.close();
    }
  });
});
