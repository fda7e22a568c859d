import { readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { splitLines, unifiedHunks } from "../../app/agent/unified-diff";

/** How much of a tool's output `m2d agent` prints under its line; the rest is counted, not shown. */
export const TOOL_OUTPUT_LINES = 12;
/** How much of a write's change the approval question shows. */
export const PREVIEW_LINES = 40;
const MAX_LINE_CHARS = 200;
/** Larger files are not read for a preview: the question names the change without it. */
const MAX_PREVIEW_FILE_BYTES = 1024 * 1024;

/** The first `max` lines, each cut at a readable width, indented, with "… N more lines" for what is left out. */
export function truncateLines(lines: readonly string[], max: number, indent = "    "): string {
  const shown = lines.slice(0, max).map((line) => `${indent}${line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line}\n`);
  const rest = lines.length - max;
  return `${shown.join("")}${rest > 0 ? `${indent}… ${rest} more line${rest === 1 ? "" : "s"}\n` : ""}`;
}

/** A tool's output as the terminal shows it under the tool's line. */
export function formatToolOutput(content: string, max = TOOL_OUTPUT_LINES): string {
  return truncateLines(splitLines(content.replace(/\s+$/, "")), max);
}

/** The lines a change replaces, as `diff -u` hunks (three lines of context) with ` `, `-` and `+` marks. */
export function changeLines(before: string | null, after: string): string[] {
  const hunks = unifiedHunks(before, after);
  if (hunks.length === 0) return ["(no change)"];
  const mark = { context: " ", add: "+", remove: "-" } as const;
  return hunks.flatMap((hunk) => [hunk.header, ...hunk.lines.map((line) => `${mark[line.kind]}${line.text}`)]);
}

/** A workspace file's text for a preview; null when it does not exist, undefined when it cannot be shown. */
function readForPreview(workspace: string, path: string): string | null | undefined {
  const absolute = resolve(workspace, path);
  const inside = relative(resolve(workspace), absolute);
  if (inside.startsWith("..") || isAbsolute(inside)) return undefined;
  try {
    const stat = statSync(absolute);
    if (!stat.isFile() || stat.size > MAX_PREVIEW_FILE_BYTES) return undefined;
    return readFileSync(absolute, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
}

/** What a write_file or edit_file call would change, as diff lines for the approval question; null for other tools. */
export function writePreview(workspace: string, tool: string, args: Record<string, unknown>, max = PREVIEW_LINES): string | null {
  if (typeof args.path !== "string") return null;
  let after: string;
  const before = readForPreview(workspace, args.path);
  if (before === undefined) return null;
  if (tool === "write_file" && typeof args.content === "string") {
    after = args.content;
  } else if (tool === "edit_file" && typeof args.old_string === "string" && typeof args.new_string === "string") {
    const at = before?.indexOf(args.old_string) ?? -1;
    // Not there (or not once): the tool will refuse it; the question still names the call.
    if (before === null || at === -1 || before.indexOf(args.old_string, at + 1) !== -1) return null;
    after = before.slice(0, at) + args.new_string + before.slice(at + args.old_string.length);
  } else {
    return null;
  }
  const header = before === null ? `new file ${args.path}` : args.path;
  return `  ${header}\n${truncateLines(changeLines(before, after), max, "  ")}`;
}
