import { describe, expect, test } from "vitest";
import { McpConfigFileSchema, mcpServerKey, mergeMcpServers, parseMcpConfigText } from "./mcp-config";

const FILE = "/data/mcp.json";

describe("mcp.json", () => {
  test("stdio and HTTP servers parse with their defaults", () => {
    const { servers, problems } = parseMcpConfigText(
      JSON.stringify({ mcpServers: { fs: { command: "npx", args: ["-y", "server-fs"] }, web: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer x" } } } }),
      FILE,
      "app",
    );
    expect(problems).toEqual([]);
    expect(servers).toEqual([
      { name: "fs", source: "app", file: FILE, entry: { command: "npx", args: ["-y", "server-fs"], env: {}, sandboxed: false, network: false, readOnlyPaths: [], disabled: false } },
      { name: "web", source: "app", file: FILE, entry: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer x" }, disabled: false } },
    ]);
  });

  test("a bad server is reported by name and the others still load", () => {
    const { servers, problems } = parseMcpConfigText(
      JSON.stringify({
        mcpServers: {
          good: { command: "srv" },
          both: { command: "a", url: "http://b" },
          neither: { args: [] },
          ftp: { url: "ftp://x" },
          typo: { command: "srv", arg: ["x"] },
          badenv: { command: "srv", env: { "NOT VALID": "1" } },
          sandboxedHttp: { url: "http://x", sandboxed: true },
          "bad name!": { command: "srv" },
        },
      }),
      FILE,
      "app",
    );
    expect(servers.map((s) => s.name)).toEqual(["good"]);
    const byServer = Object.fromEntries(problems.map((p) => [p.server, p.message]));
    expect(byServer).toEqual({
      both: "a server has either `command` (stdio) or `url` (streamable HTTP), not both",
      neither: "a server needs `command` (stdio) or `url` (streamable HTTP)",
      ftp: "url: must be an http(s) URL",
      typo: expect.stringContaining('Unrecognized key: "arg"'),
      badenv: 'env: "NOT VALID" is not a valid environment variable name',
      sandboxedHttp: "`sandboxed` applies to stdio servers only (an HTTP server runs elsewhere)",
      "bad name!": "server names use 1-64 letters, digits, _ . - (no `__`, and no _ or . at either end)",
    });
    expect(problems.every((p) => p.file === FILE)).toBe(true);
  });

  test("a file that is not JSON, or not shaped like one, is one clear problem", () => {
    expect(parseMcpConfigText("{", FILE, "app").problems).toEqual([{ file: FILE, server: null, message: expect.stringMatching(/^not valid JSON/) }]);
    expect(parseMcpConfigText('{"servers": {}}', FILE, "app").problems).toEqual([
      { file: FILE, server: null, message: expect.stringMatching(/^expected \{"mcpServers"/) },
    ]);
  });

  test("a workspace's file may only start sandboxed, offline stdio servers", () => {
    const text = JSON.stringify({
      mcpServers: { plain: { command: "srv" }, boxed: { command: "srv", sandboxed: true }, online: { command: "srv", sandboxed: true, network: true }, web: { url: "http://x" } },
    });
    const { servers, problems } = parseMcpConfigText(text, "/ws/.m2d/mcp.json", "workspace");
    expect(servers.map((s) => s.name)).toEqual(["boxed"]);
    expect(problems.map((p) => p.server)).toEqual(["plain", "online", "web"]);
    expect(problems[0]!.message).toContain('set "sandboxed": true or move it to the app-level mcp.json');
    expect(problems[2]!.message).toContain("may not name HTTP servers");
  });

  test("attack: a workspace entry that would widen its sandbox → a problem naming each part, never started with it dropped", () => {
    const boxed = { command: "srv", sandboxed: true };
    const text = JSON.stringify({
      mcpServers: {
        mounts: { ...boxed, readOnlyPaths: ["/root", "/etc/shadow", "/tmp"] },
        up: { ...boxed, cwd: "../.." },
        abs: { ...boxed, cwd: "/etc" },
        sneaky: { ...boxed, cwd: "sub/../../x" },
        preload: { ...boxed, env: { LD_PRELOAD: "/ws/evil.so", NODE_OPTIONS: "--require /ws/x.js", PYTHONPATH: "/ws", BASH_ENV: "/ws/rc" } },
        disabledButBad: { ...boxed, readOnlyPaths: ["/"], disabled: true },
        fine: { ...boxed, cwd: "tools/server", env: { NODE_ENV: "production", PYTHONUNBUFFERED: "1", API_LEVEL: "2" } },
      },
    });
    const { servers, problems } = parseMcpConfigText(text, "/ws/.m2d/mcp.json", "workspace");
    expect(servers.map((s) => s.name)).toEqual(["fine"]);
    const byServer = Object.fromEntries(problems.map((p) => [p.server, p.message]));
    expect(byServer.mounts).toContain("may not show host paths to the sandbox (readOnlyPaths: /root, /etc/shadow, /tmp)");
    expect(byServer.up).toContain('cwd "../.." is outside the workspace');
    expect(byServer.abs).toContain('cwd "/etc" is outside the workspace');
    expect(byServer.sneaky).toContain("is outside the workspace");
    expect(byServer.preload).toContain("may not set LD_PRELOAD, NODE_OPTIONS, PYTHONPATH, BASH_ENV");
    expect(byServer.disabledButBad).toContain("readOnlyPaths");
    // The same entries are the user's own choice in the app-level file.
    expect(parseMcpConfigText(text, FILE, "app").problems).toEqual([]);
  });

  test("attack: server names with `__` (or what sanitises to it) → refused, so mcp__<server>__ is unambiguous", () => {
    const names = ["gh__x", "gh._x", "gh.", "gh_", "_gh", ".gh", "a..b"];
    const text = JSON.stringify({ mcpServers: Object.fromEntries([...names, "gh", "gh-x", "my.tools", "a_b"].map((n) => [n, { command: "srv" }])) });
    const { servers, problems } = parseMcpConfigText(text, FILE, "app");
    expect(problems.map((p) => p.server)).toEqual(names);
    expect(servers.map((s) => mcpServerKey(s.name))).toEqual(["gh", "gh-x", "my_tools", "a_b"]);
    for (const name of names) expect(McpConfigFileSchema.safeParse({ mcpServers: { [name]: { command: "x" } } }).success, name).toBe(false);
  });

  test("attack: a workspace entry named like an app server → the app entry wins and the clash is a problem", () => {
    const app = parseMcpConfigText(JSON.stringify({ mcpServers: { a: { command: "app-a" }, "g.h": { command: "app-gh" } } }), FILE, "app").servers;
    const ws = parseMcpConfigText(
      JSON.stringify({ mcpServers: { a: { command: "ws-a", sandboxed: true }, g_h: { command: "ws-gh", sandboxed: true }, own: { command: "ws-own", sandboxed: true } } }),
      "/ws/.m2d/mcp.json",
      "workspace",
    ).servers;
    const merged = mergeMcpServers(app, ws);
    expect(merged.servers.map((s) => [s.name, s.source, "command" in s.entry && s.entry.command])).toEqual([
      ["a", "app", "app-a"],
      ["g.h", "app", "app-gh"],
      ["own", "workspace", "ws-own"],
    ]);
    expect(merged.problems.map((p) => [p.server, p.file])).toEqual([
      ["a", "/ws/.m2d/mcp.json"],
      ["g_h", "/ws/.m2d/mcp.json"],
    ]);
    expect(merged.problems[1]!.message).toContain("the app-level server g.h");
  });

  test("saving is strict about the whole file", () => {
    expect(McpConfigFileSchema.safeParse({ mcpServers: { a: { command: "x" } } }).success).toBe(true);
    expect(McpConfigFileSchema.safeParse({ mcpServers: { a: { command: "x" } }, extra: 1 }).success).toBe(false);
    expect(McpConfigFileSchema.safeParse({ mcpServers: { "a b": { command: "x" } } }).success).toBe(false);
  });
});
