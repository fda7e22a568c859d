import { AppError } from "../../../app/contract/errors";
import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";
import { RESULT_CAP_BYTES, truncationMarker } from "./truncate";

export const MAX_READ_FILE_BYTES = 20 * 1024 * 1024;

/** NUL bytes or invalid UTF-8 in the first 8 KB: not something to put in a prompt. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    // A multibyte character cut at the 8 KB boundary is not a reason to call it binary.
    new TextDecoder("utf-8", { fatal: true }).decode(head.length < bytes.length ? head.subarray(0, head.length - 4) : head);
    return false;
  } catch {
    return true;
  }
}

/** Reads a text file that the guard allows; refuses binaries and files too large to be useful. */
export async function readText(ctx: ToolContext, path: string): Promise<{ text: string; relative: string }> {
  const { handle, resolved } = await ctx.guard.openForRead(path);
  try {
    if (resolved.stats.size > MAX_READ_FILE_BYTES) {
      throw new AppError("bad_request", `${path} is ${resolved.stats.size} bytes, too large to read; use search to find what you need in it.`, {
        reason: "file_too_large",
        path,
      });
    }
    const bytes = await handle.readFile();
    if (looksBinary(bytes)) {
      throw new AppError("bad_request", `${path} looks binary (${bytes.length} bytes); it is not shown.`, { reason: "binary_file", path });
    }
    return { text: bytes.toString("utf8"), relative: resolved.relative };
  } finally {
    await handle.close();
  }
}

export async function readFileTool(ctx: ToolContext, args: ToolArgs["read_file"]): Promise<ToolOutput> {
  const { text, relative } = await readText(ctx, args.path);
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const total = lines.length;
  const start = args.start_line ?? 1;
  const end = Math.min(args.end_line ?? total, total);
  if (start > Math.max(total, 1)) {
    throw new AppError("bad_request", `${args.path} has ${total} lines; start_line ${start} is past the end.`, { reason: "line_out_of_range", path: args.path });
  }
  if (end < start) throw new AppError("bad_request", "end_line is before start_line.", { reason: "bad_line_range", path: args.path });
  let used = 0;
  let last = start - 1;
  const shown: string[] = [];
  for (let n = start; n <= end; n++) {
    const line = lines[n - 1] ?? "";
    const bytes = Buffer.byteLength(line) + 1;
    if (used + bytes > RESULT_CAP_BYTES && shown.length > 0) break;
    shown.push(bytes > RESULT_CAP_BYTES ? `${line.slice(0, RESULT_CAP_BYTES)}[… line ${n} cut]` : line);
    used += bytes;
    last = n;
  }
  const parts: string[] = [];
  const whole = start === 1 && last === total;
  if (!whole) parts.push(`(${relative}: lines ${start}–${last} of ${total})`);
  parts.push(shown.join("\n"));
  if (last < end) {
    const omitted = lines.slice(last, end).reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
    parts.push(truncationMarker(omitted, `call read_file with start_line=${last + 1} to see more`));
  }
  return { content: parts.join("\n"), data: { path: relative, startLine: start, endLine: last, totalLines: total } };
}
