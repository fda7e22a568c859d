import { z } from "zod";

/**
 * The `mcp.json` file (the shape Claude Desktop, Cursor and VS Code use):
 *   {"mcpServers": {"name": {"command", "args", "env", "cwd", "sandboxed"} | {"url", "headers"}}}
 * at app level (<dataDir>/mcp.json) and per workspace (<workspace>/.m2d/mcp.json; same name wins).
 * Each server is validated on its own, so one bad entry is reported and the others still start.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const MCP_SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

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
    mcpServers: z.record(z.string().regex(MCP_SERVER_NAME, "server names use letters, digits, _ . -"), McpServerEntrySchema),
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
      problems.push({ file, server: name, message: "server names use 1-64 letters, digits, _ . -" });
      continue;
    }
    const parsed = parseServerEntry(raw);
    const untrusted = parsed.ok && source === "workspace" ? workspaceEntryProblem(parsed.entry) : null;
    if (!parsed.ok) problems.push({ file, server: name, message: parsed.message });
    else if (untrusted) problems.push({ file, server: name, message: untrusted });
    else servers.push({ name, source, file, entry: parsed.entry });
  }
  return { servers, problems };
}

/**
 * A workspace's own mcp.json comes with the folder (a cloned repository), and its servers start
 * with the run, before any approval: so it may only start sandboxed, offline stdio servers.
 */
function workspaceEntryProblem(entry: McpServerEntry): string | null {
  if (!isStdioEntry(entry) || entry.disabled) return null;
  if (!entry.sandboxed) {
    return "a workspace's mcp.json may only start sandboxed stdio servers (the folder could otherwise run any program as you); set \"sandboxed\": true or move it to the app-level mcp.json";
  }
  if (entry.network) return "a workspace's mcp.json may not give a server network access; move it to the app-level mcp.json";
  return null;
}

/** App-level servers overlaid by the workspace's: a workspace entry replaces the app entry of the same name. */
export function mergeMcpServers(app: McpServerConfig[], workspace: McpServerConfig[]): McpServerConfig[] {
  const byName = new Map<string, McpServerConfig>();
  for (const server of [...app, ...workspace]) byName.set(server.name, server);
  return [...byName.values()];
}

export function isStdioEntry(entry: McpServerEntry): entry is McpStdioServerEntry {
  return "command" in entry;
}
