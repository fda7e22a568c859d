import { z } from "zod";
import { normalizePosix } from "./posix-path";

/**
 * The `mcp.json` file (the shape Claude Desktop, Cursor and VS Code use):
 *   {"mcpServers": {"name": {"command", "args", "env", "cwd", "sandboxed"} | {"url", "headers"}}}
 * at app level (<dataDir>/mcp.json) and per workspace (<workspace>/.m2d/mcp.json). The workspace's file
 * comes with the folder (a cloned repository), so it is held to what cannot widen the sandbox, and its
 * servers start only once the user approved its exact content (main/agent/mcp/consent.ts).
 * Each server is validated on its own, so one bad entry is reported and the others still start.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * 1-64 letters, digits, `_ . -`, never two of `_ .` in a row nor one at either end: the name is the
 * `<server>` of `mcp__<server>__<tool>` (`.` written as `_`), so `__` in it would make `gh__x`'s tools
 * look like the `gh` server's to an allowlist entry `mcp__gh__*`.
 */
export const MCP_SERVER_NAME = /^(?![_.])(?!.*[_.]{2})(?!.*[_.]$)[A-Za-z0-9_.-]{1,64}$/;
const SERVER_NAME_RULE = "server names use 1-64 letters, digits, _ . - (no `__`, and no _ or . at either end)";

/** A server's `<server>` in its tool names: what allowlist entries name (see mcp-policy.ts). */
export function mcpServerKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** A string map whose keys must match `pattern`; the message names the bad keys. */
function namedMap(pattern: RegExp, what: string, maxValue: number) {
  return z.record(z.string(), z.string().max(maxValue)).superRefine((map, ctx) => {
    const bad = Object.keys(map).filter((key) => !pattern.test(key));
    if (bad.length > 0) ctx.addIssue({ code: "custom", message: `${bad.map((k) => JSON.stringify(k)).join(", ")} ${bad.length === 1 ? "is not" : "are not"} ${what}` });
  });
}

const timeoutS = z.number().int().min(1).max(3600).optional().describe("Seconds a tool call may take; default 60");

export const McpStdioServerSchema = z
  .object({
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(16_384)).max(256).default([]),
    env: namedMap(ENV_NAME, "a valid environment variable name", 65_536).default({}),
    /** Relative to the workspace. */
    cwd: z.string().min(1).max(4096).optional(),
    /** Run the server inside the same bubblewrap sandbox as run_command (workspace writable, the rest read-only). */
    sandboxed: z.boolean().default(false),
    /** Sandboxed servers have no network unless this is set. */
    network: z.boolean().default(false),
    /** Host paths a sandboxed server may read although the sandbox hides them (e.g. the server's install under ~). */
    readOnlyPaths: z.array(z.string().min(1).max(4096)).max(32).default([]),
    timeoutS,
    disabled: z.boolean().default(false),
  })
  .strict();

export const McpHttpServerSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    headers: namedMap(HEADER_NAME, "a valid HTTP header name", 8192).default({}),
    timeoutS,
    disabled: z.boolean().default(false),
  })
  .strict();

export const McpServerEntrySchema = z.union([McpStdioServerSchema, McpHttpServerSchema]);
export type McpStdioServerEntry = z.infer<typeof McpStdioServerSchema>;
export type McpHttpServerEntry = z.infer<typeof McpHttpServerSchema>;
export type McpServerEntry = McpStdioServerEntry | McpHttpServerEntry;

/** The whole file, strictly: what saving the app-level config accepts. */
export const McpConfigFileSchema = z
  .object({
    mcpServers: z.record(z.string().regex(MCP_SERVER_NAME, SERVER_NAME_RULE), McpServerEntrySchema),
  })
  .strict();
export type McpConfigFile = z.input<typeof McpConfigFileSchema>;

export type McpConfigSource = "app" | "workspace";

export interface McpServerConfig {
  name: string;
  source: McpConfigSource;
  /** The file it came from. */
  file: string;
  entry: McpServerEntry;
}

export interface McpConfigProblem {
  file: string;
  /** null when the file as a whole is unusable. */
  server: string | null;
  message: string;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(entry)"}: ${i.message}`).join("; ");
}

/** Parses one server entry, telling stdio from HTTP by its keys so that the message is about the right shape. */
export function parseServerEntry(raw: unknown): { ok: true; entry: McpServerEntry } | { ok: false; message: string } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, message: "a server must be an object" };
  const hasCommand = "command" in raw;
  const hasUrl = "url" in raw;
  if (hasCommand && hasUrl) return { ok: false, message: "a server has either `command` (stdio) or `url` (streamable HTTP), not both" };
  if (!hasCommand && !hasUrl) return { ok: false, message: "a server needs `command` (stdio) or `url` (streamable HTTP)" };
  if (hasUrl && "sandboxed" in raw) return { ok: false, message: "`sandboxed` applies to stdio servers only (an HTTP server runs elsewhere)" };
  const parsed = (hasCommand ? McpStdioServerSchema : McpHttpServerSchema).safeParse(raw);
  return parsed.success ? { ok: true, entry: parsed.data } : { ok: false, message: issuesText(parsed.error) };
}

/** One file's text → its valid servers and a problem per bad one (or one for the whole file). */
export function parseMcpConfigText(text: string, file: string, source: McpConfigSource): { servers: McpServerConfig[]; problems: McpConfigProblem[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { servers: [], problems: [{ file, server: null, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }] };
  }
  const top = z.object({ mcpServers: z.record(z.string(), z.unknown()) }).safeParse(json);
  if (!top.success) return { servers: [], problems: [{ file, server: null, message: `expected {"mcpServers": {"<name>": {...}}}: ${issuesText(top.error)}` }] };
  const servers: McpServerConfig[] = [];
  const problems: McpConfigProblem[] = [];
  for (const [name, raw] of Object.entries(top.data.mcpServers)) {
    if (!MCP_SERVER_NAME.test(name)) {
      problems.push({ file, server: name, message: SERVER_NAME_RULE });
      continue;
    }
    const parsed = parseServerEntry(raw);
    const untrusted = parsed.ok && source === "workspace" ? workspaceEntryProblems(parsed.entry) : [];
    if (!parsed.ok) problems.push({ file, server: name, message: parsed.message });
    else if (untrusted.length > 0) problems.push({ file, server: name, message: untrusted.join("; ") });
    else servers.push({ name, source, file, entry: parsed.entry });
  }
  return { servers, problems };
}

/** Variables that change what a program loads or runs before its own code: never from a workspace's file. */
const LOADER_ENV = /^(LD_|DYLD_|BASH_FUNC_|NODE_|PYTHON|PERL|RUBY|JAVA_TOOL_OPTIONS$|_JAVA_OPTIONS$|JDK_JAVA_OPTIONS$|GIT_|BASH_ENV$|ENV$|SHELLOPTS$|BASHOPTS$|PS4$|IFS$|PATH$|HOME$|TMPDIR$|PWD$)/;
const HARMLESS_ENV = new Set(["NODE_ENV", "NODE_NO_WARNINGS", "PYTHONUNBUFFERED", "PYTHONIOENCODING", "PYTHONDONTWRITEBYTECODE"]);

/**
 * Everything in a workspace entry that could widen what its sandbox sees or does: such an entry is a
 * reported problem (never started with the part dropped). Only sandboxed, offline stdio servers, with
 * no extra host paths, a working folder inside the workspace and no loader variables.
 */
export function workspaceEntryProblems(entry: McpServerEntry): string[] {
  if (!isStdioEntry(entry)) {
    return ["a workspace's mcp.json may not name HTTP servers (the app would connect to them from your machine); move it to the app-level mcp.json"];
  }
  const problems: string[] = [];
  if (!entry.sandboxed) {
    problems.push('a workspace\'s mcp.json may only start sandboxed stdio servers (the folder could otherwise run any program as you); set "sandboxed": true or move it to the app-level mcp.json');
  }
  if (entry.network) problems.push("a workspace's mcp.json may not give a server network access; move it to the app-level mcp.json");
  if (entry.readOnlyPaths.length > 0) {
    problems.push(`a workspace's mcp.json may not show host paths to the sandbox (readOnlyPaths: ${entry.readOnlyPaths.join(", ")}); move it to the app-level mcp.json`);
  }
  if (entry.cwd !== undefined) {
    const cwd = normalizePosix(entry.cwd);
    if (entry.cwd.includes("\\") || cwd.startsWith("/") || cwd === ".." || cwd.startsWith("../")) problems.push(`cwd ${JSON.stringify(entry.cwd)} is outside the workspace`);
  }
  const loaders = Object.keys(entry.env).filter((name) => LOADER_ENV.test(name.toUpperCase()) && !HARMLESS_ENV.has(name));
  if (loaders.length > 0) problems.push(`a workspace's mcp.json may not set ${loaders.join(", ")} (they change what the server loads)`);
  return problems;
}

/**
 * App-level servers, then the workspace's that neither take an app server's name nor share its tool
 * prefix (a workspace entry would otherwise inherit the user's allowlist for it): the app entry wins
 * and the workspace one is a problem. Two servers of one file with the same prefix (`a.b`, `a_b`) too.
 */
export function mergeMcpServers(app: McpServerConfig[], workspace: McpServerConfig[]): { servers: McpServerConfig[]; problems: McpConfigProblem[] } {
  const byKey = new Map<string, McpServerConfig>();
  const problems: McpConfigProblem[] = [];
  for (const server of [...app, ...workspace]) {
    const taken = byKey.get(mcpServerKey(server.name));
    if (!taken) {
      byKey.set(mcpServerKey(server.name), server);
      continue;
    }
    const whose = taken.source === server.source ? `server ${taken.name} of the same file` : `the app-level server ${taken.name}`;
    problems.push({ file: server.file, server: server.name, message: `its tools would be named like those of ${whose} (mcp__${mcpServerKey(server.name)}__…), which is used instead` });
  }
  return { servers: [...byKey.values()], problems };
}

export function isStdioEntry(entry: McpServerEntry): entry is McpStdioServerEntry {
  return "command" in entry;
}
