import { z } from "zod";

/**
 * The one definition of each built-in agent tool: what the model is told (description and argument
 * schema), how the policy treats it, whether it may run beside other calls, whether it changes files,
 * and how its card shows it. The host's implementations (main/agent/tools/implementations.ts), the
 * policy, the agent loop, the prompt and the renderer all read this. MCP tools are not here: they are
 * discovered at run time and decided by mcp-policy.ts.
 */

/**
 * How policy.ts decides a call (policy.ts's decider per class):
 * read: looks at the workspace, always allowed. plan: changes nothing on disk, always allowed.
 * write: changes workspace files, asks in Ask mode. command: a shell command, checked part by part.
 * network: reaches an allowlisted host.
 */
export type ToolPolicyClass = "read" | "plan" | "write" | "command" | "network";

export interface ToolDefinition {
  /** What the model reads about the tool (part of the prompt: keep the text stable). */
  description: string;
  /** The arguments the model must send; its JSON schema is part of the prompt. */
  args: z.ZodObject;
  policy: ToolPolicyClass;
  /** May run at the same time as the calls next to it that are parallel-safe too. */
  parallelSafe: boolean;
  /** Writes workspace files behind a checkpoint: its card shows the diff, and a written page can be previewed. */
  changesFiles: boolean;
  /** The argument naming the workspace file or folder it works on, for the card. */
  pathArg: string | null;
}

const path = (what: string) => z.string().min(1).max(4096).describe(`${what}, relative to the workspace root`);

const MAX_WRITE_BYTES = 5 * 1024 * 1024;

const reader = { policy: "read", parallelSafe: true, changesFiles: false, pathArg: "path" } as const;
const writer = { policy: "write", parallelSafe: false, changesFiles: true, pathArg: "path" } as const;

/** In the order the model sees them: the prompt lists the tools in this order. */
export const AGENT_TOOLS = {
  list_files: {
    ...reader,
    description: "List files and folders in the workspace (respects .gitignore, skips .git).",
    args: z.object({
      path: path("Folder to list (\".\" for the workspace root)"),
      depth: z.number().int().min(1).max(6).optional().describe("How many levels deep to list; default 2"),
    }).strict(),
  },
  read_file: {
    ...reader,
    description: "Read a text file from the workspace, optionally a range of lines. Long files are cut; the result says how to read on.",
    args: z.object({
      path: path("File to read"),
      start_line: z.number().int().min(1).optional().describe("First line to return (1-based); default 1"),
      end_line: z.number().int().min(1).optional().describe("Last line to return (inclusive); default: as much as fits"),
    }).strict(),
  },
  write_file: {
    ...writer,
    description: "Create or overwrite a file in the workspace with the given content.",
    args: z.object({
      path: path("File to create or replace"),
      content: z.string().max(MAX_WRITE_BYTES).describe("The complete new content of the file"),
    }).strict(),
  },
  edit_file: {
    ...writer,
    description: "Replace one exact, unique occurrence of old_string with new_string in a workspace file.",
    args: z.object({
      path: path("File to edit"),
      old_string: z.string().min(1).describe("Exact text to replace; must occur exactly once in the file"),
      new_string: z.string().describe("Text to put in its place"),
    }).strict(),
  },
  search: {
    ...reader,
    description: "Search workspace files for a regular expression (respects .gitignore). Returns path:line: text.",
    args: z.object({
      pattern: z.string().min(1).max(1000).describe("JavaScript regular expression, matched line by line"),
      path: path("Folder or file to search; default the whole workspace").optional(),
    }).strict(),
  },
  run_command: {
    policy: "command",
    parallelSafe: false,
    changesFiles: false,
    pathArg: null,
    description: "Run a shell command in the workspace, in a sandbox: no network unless enabled, nothing outside the workspace is writable.",
    args: z.object({
      command: z.string().min(1).max(16_384).describe("A bash command line, run in the workspace folder inside a sandbox"),
      timeout_s: z.number().int().min(1).max(600).optional().describe("Seconds before the command is killed; default 120"),
    }).strict(),
  },
  fetch_url: {
    policy: "network",
    parallelSafe: false,
    changesFiles: false,
    pathArg: null,
    description: "Fetch a URL over HTTP(S) from an allowlisted host; off unless the user enabled it.",
    args: z.object({
      url: z.string().min(1).max(4096).describe("http(s) URL on a host the user allowlisted"),
    }).strict(),
  },
  todo: {
    policy: "plan",
    parallelSafe: true,
    changesFiles: false,
    pathArg: null,
    description: "Record the current plan as a checklist; returns the plan.",
    args: z.object({
      items: z.array(z.object({
        content: z.string().min(1).max(500),
        status: z.enum(["pending", "in_progress", "completed"]),
      }).strict()).max(50).describe("The whole plan, replacing the previous one"),
    }).strict(),
  },
  check_page: {
    ...reader,
    description: "Load a workspace HTML file in a headless browser (no network) and report its title, console errors and warnings, uncaught exceptions and failed requests.",
    args: z.object({
      path: path("HTML file to load in a headless browser"),
    }).strict(),
  },
} as const satisfies Record<string, ToolDefinition>;

export type ToolName = keyof typeof AGENT_TOOLS;
export const TOOL_NAMES = Object.keys(AGENT_TOOLS) as [ToolName, ...ToolName[]];

export type ToolArgs = { [N in ToolName]: z.infer<(typeof AGENT_TOOLS)[N]["args"]> };

/** The tools the policy treats as class C. */
export type ToolsOfClass<C extends ToolPolicyClass> = { [N in ToolName]: (typeof AGENT_TOOLS)[N]["policy"] extends C ? N : never }[ToolName];

/** The tools whose definitions say they change files. */
export type FileChangingTool = { [N in ToolName]: (typeof AGENT_TOOLS)[N]["changesFiles"] extends true ? N : never }[ToolName];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(AGENT_TOOLS, name);
}

/** A built-in tool's definition; null for an MCP tool or a name no tool has. */
export function toolDefinition(name: string): ToolDefinition | null {
  return isToolName(name) ? AGENT_TOOLS[name] : null;
}

/** "Always allow" saves a command tool's commands (allowedCommands, always-allow.ts), any other tool by its name. */
export function alwaysAllowedByCommands(name: string): boolean {
  return toolDefinition(name)?.policy === "command";
}
