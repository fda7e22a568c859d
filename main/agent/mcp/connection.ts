import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { mcpError } from "./errors";
import type { McpServerStatus } from "../../../app/contract/agent-api";
import { isStdioEntry } from "../../../app/agent/mcp-config";
import type { McpServerConfig } from "../../../app/agent/mcp-config";
import type { SandboxCapability, SandboxLimits } from "../sandbox/types";
import { plainLaunch, sandboxedLaunch } from "./launch";
import type { StdioLaunch } from "./launch";

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const STDERR_TAIL_CHARS = 2000;
const MAX_TOOL_PAGES = 20;

export interface ConnectOptions {
  workspace: string;
  sandbox: SandboxCapability;
  limits?: Partial<SandboxLimits>;
  readOnlyPaths?: string[];
  /** False in Read-only mode: sandboxed servers get the workspace read-only. */
  workspaceWritable?: boolean;
  connectTimeoutMs?: number;
  /** Tools one server may add to the prompt (default MAX_TOOLS_PER_SERVER); the rest are left out with a warning. */
  maxToolsPerServer?: number;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One configured server: started, asked for its tools, called, and closed; it never throws past `connect`. */
export class McpServerConnection {
  state: McpServerStatus["state"] = "configured";
  error: string | null = null;
  tools: Tool[] = [];
  where: string;
  readonly warnings: string[] = [];
  private client: Client | null = null;
  private launch: StdioLaunch | null = null;
  private stderrTail = "";

  private constructor(readonly config: McpServerConfig) {
    this.where = isStdioEntry(config.entry) ? `MCP server \`${config.entry.command}\`` : `MCP server at ${config.entry.url}`;
  }

  get sandboxed(): boolean {
    return isStdioEntry(this.config.entry) && this.config.entry.sandboxed;
  }

  get callTimeoutMs(): number {
    return (this.config.entry.timeoutS ?? DEFAULT_CALL_TIMEOUT_MS / 1000) * 1000;
  }

  /** Starts the server and lists its tools; a failure is recorded in `state`/`error`, not thrown. */
  static async connect(config: McpServerConfig, options: ConnectOptions): Promise<McpServerConnection> {
    const connection = new McpServerConnection(config);
    if (config.entry.disabled) return connection;
    try {
      await connection.start(options);
    } catch (error) {
      connection.state = "failed";
      connection.error = `${errorMessage(error)}${connection.stderrSuffix()}`;
      await connection.close().catch(() => undefined);
      connection.state = "failed";
    }
    return connection;
  }

  private async start(options: ConnectOptions): Promise<void> {
    const { entry } = this.config;
    let transport: Transport;
    if (isStdioEntry(entry)) {
      // mcp-config.ts refuses these already; a workspace's file never runs a program as the user.
      if (this.config.source === "workspace" && !entry.sandboxed) {
        throw mcpError("bad_request", "A workspace's MCP server must be sandboxed.", { reason: "unsandboxed_workspace_server" });
      }
      this.launch = entry.sandboxed
        ? await sandboxedLaunch({
            sandbox: options.sandbox,
            workspace: options.workspace,
            entry,
            limits: options.limits,
            readOnlyPaths: options.readOnlyPaths,
            workspaceWritable: options.workspaceWritable,
          })
        : plainLaunch(options.workspace, entry);
      this.where = this.launch.where;
      const stdio = new StdioClientTransport({ command: this.launch.command, args: this.launch.args, env: this.launch.env, cwd: this.launch.cwd, stderr: "pipe" });
      stdio.stderr?.on("data", (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
      });
      transport = stdio;
    } else {
      transport = new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } });
    }
    const client = new Client({ name: "m2-desktop", version: "0.1.0" }, { capabilities: {} });
    this.client = client;
    client.onclose = () => {
      if (this.state !== "connected") return;
      this.state = "exited";
      this.error = `the server closed the connection (its process exited or it hung up)${this.stderrSuffix()}`;
    };
    const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    await client.connect(transport, { timeout });
    this.state = "connected";
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const listed = await client.listTools(cursor ? { cursor } : {}, { timeout });
      tools.push(...listed.tools);
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    this.tools = tools;
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail ? `; its stderr ends with: ${tail.slice(-500)}` : "";
  }

  /** Calls one tool; every way it can fail becomes an AppError whose details.reason says which. */
  async call(remoteName: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const label = `${this.config.name}.${remoteName}`;
    if (this.state !== "connected" || !this.client) {
      throw mcpError("internal", `MCP server "${this.config.name}" is not running: ${this.error ?? this.state}.`, {
        reason: this.state === "exited" ? "mcp_server_exited" : "mcp_server_unavailable",
        server: this.config.name,
      });
    }
    try {
      const result = (await this.client.callTool({ name: remoteName, arguments: args }, undefined, { timeout: this.callTimeoutMs, signal })) as CallToolResult;
      return result;
    } catch (error) {
      if (signal?.aborted) throw mcpError("aborted", `${label} was cancelled.`, { reason: "aborted", server: this.config.name });
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        throw mcpError("internal", `${label} did not answer within ${this.callTimeoutMs / 1000} s.`, { reason: "mcp_timeout", server: this.config.name });
      }
      if ((error instanceof McpError && error.code === ErrorCode.ConnectionClosed) || (this.state as string) === "exited") {
        this.state = "exited";
        this.error ??= `the server exited${this.stderrSuffix()}`;
        throw mcpError("internal", `MCP server "${this.config.name}" exited during ${label}: ${this.error}`, { reason: "mcp_server_exited", server: this.config.name });
      }
      if (error instanceof McpError) {
        throw mcpError("bad_request", `${label} failed: ${error.message}`, { reason: "mcp_error", server: this.config.name, mcpCode: error.code });
      }
      throw mcpError("internal", `${label} failed: ${errorMessage(error)}`, { reason: "mcp_error", server: this.config.name });
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (this.state === "connected") this.state = "closed";
    await client?.close().catch(() => undefined);
    const launch = this.launch;
    this.launch = null;
    // A failed protected-path cleanup is reported, never dropped: what it left may run code on the host.
    const violations = (await launch?.cleanup().catch((error: unknown) => [`protected-path cleanup FAILED: ${errorMessage(error)}`])) ?? [];
    this.warnings.push(...violations);
  }
}
