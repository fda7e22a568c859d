import { z } from "zod";
import type { AgentToolName, ToolName } from "../../../app/agent/types";

const path = (what: string) => z.string().min(1).max(4096).describe(`${what}, relative to the workspace root`);

export const MAX_WRITE_BYTES = 5 * 1024 * 1024;

export const TOOL_ARGS = {
  list_files: z.object({
    path: path("Folder to list (\".\" for the workspace root)"),
    depth: z.number().int().min(1).max(6).optional().describe("How many levels deep to list; default 2"),
  }).strict(),
  read_file: z.object({
    path: path("File to read"),
    start_line: z.number().int().min(1).optional().describe("First line to return (1-based); default 1"),
    end_line: z.number().int().min(1).optional().describe("Last line to return (inclusive); default: as much as fits"),
  }).strict(),
  write_file: z.object({
    path: path("File to create or replace"),
    content: z.string().max(MAX_WRITE_BYTES).describe("The complete new content of the file"),
  }).strict(),
  edit_file: z.object({
    path: path("File to edit"),
    old_string: z.string().min(1).describe("Exact text to replace; must occur exactly once in the file"),
    new_string: z.string().describe("Text to put in its place"),
  }).strict(),
  search: z.object({
    pattern: z.string().min(1).max(1000).describe("JavaScript regular expression, matched line by line"),
    path: path("Folder or file to search; default the whole workspace").optional(),
  }).strict(),
  run_command: z.object({
    command: z.string().min(1).max(16_384).describe("A bash command line, run in the workspace folder inside a sandbox"),
    timeout_s: z.number().int().min(1).max(600).optional().describe("Seconds before the command is killed; default 120"),
  }).strict(),
  fetch_url: z.object({
    url: z.string().min(1).max(4096).describe("http(s) URL on a host the user allowlisted"),
  }).strict(),
  todo: z.object({
    items: z.array(z.object({
      content: z.string().min(1).max(500),
      status: z.enum(["pending", "in_progress", "completed"]),
    }).strict()).max(50).describe("The whole plan, replacing the previous one"),
  }).strict(),
  check_page: z.object({
    path: path("HTML file to load in a headless browser"),
  }).strict(),
} satisfies Record<ToolName, z.ZodType>;

export type ToolArgs = { [K in ToolName]: z.infer<(typeof TOOL_ARGS)[K]> };

const DESCRIPTIONS: Record<ToolName, string> = {
  list_files: "List files and folders in the workspace (respects .gitignore, skips .git).",
  read_file: "Read a text file from the workspace, optionally a range of lines. Long files are cut; the result says how to read on.",
  write_file: "Create or overwrite a file in the workspace with the given content.",
  edit_file: "Replace one exact, unique occurrence of old_string with new_string in a workspace file.",
  search: "Search workspace files for a regular expression (respects .gitignore). Returns path:line: text.",
  run_command: "Run a shell command in the workspace, in a sandbox: no network unless enabled, nothing outside the workspace is writable.",
  fetch_url: "Fetch a URL over HTTP(S) from an allowlisted host; off unless the user enabled it.",
  todo: "Record the current plan as a checklist; returns the plan.",
  check_page: "Load a workspace HTML file in a headless browser (no network) and report its title, console errors and warnings, uncaught exceptions and failed requests.",
};

/** The model-facing definitions, in the OpenAI-style shape M2's chat template takes. */
export interface M2ToolDefinition {
  type: "function";
  function: { name: AgentToolName; description: string; parameters: Record<string, unknown> };
}

function parameters(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

export const TOOL_DEFINITIONS: M2ToolDefinition[] = (Object.keys(TOOL_ARGS) as ToolName[]).map((name) => ({
  type: "function",
  function: { name, description: DESCRIPTIONS[name], parameters: parameters(TOOL_ARGS[name]) },
}));
