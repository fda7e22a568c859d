import { describe, expect, test } from "vitest";
import { McpConfigFileSchema, mergeMcpServers, parseMcpConfigText } from "./mcp-config";

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
      "bad name!": "server names use 1-64 letters, digits, _ . -",
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
    expect(servers.map((s) => s.name)).toEqual(["boxed", "web"]);
    expect(problems.map((p) => p.server)).toEqual(["plain", "online"]);
    expect(problems[0]!.message).toContain('set "sandboxed": true or move it to the app-level mcp.json');
  });

  test("the workspace overrides the app by name", () => {
    const app = parseMcpConfigText(JSON.stringify({ mcpServers: { a: { command: "app-a" }, b: { command: "app-b" } } }), FILE, "app").servers;
    const ws = parseMcpConfigText(JSON.stringify({ mcpServers: { b: { command: "ws-b", sandboxed: true } } }), "/ws/.m2d/mcp.json", "workspace").servers;
    expect(mergeMcpServers(app, ws).map((s) => [s.name, s.source, "command" in s.entry && s.entry.command])).toEqual([
      ["a", "app", "app-a"],
      ["b", "workspace", "ws-b"],
    ]);
  });

  test("saving is strict about the whole file", () => {
    expect(McpConfigFileSchema.safeParse({ mcpServers: { a: { command: "x" } } }).success).toBe(true);
    expect(McpConfigFileSchema.safeParse({ mcpServers: { a: { command: "x" } }, extra: 1 }).success).toBe(false);
    expect(McpConfigFileSchema.safeParse({ mcpServers: { "a b": { command: "x" } } }).success).toBe(false);
  });
});
