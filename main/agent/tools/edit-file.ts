import { AppError } from "../../../app/contract/errors";
import { createCheckpoint } from "./checkpoint";
import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import { readText } from "./read-file";
import type { ToolArgs } from "./schemas";

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

export async function editFileTool(ctx: ToolContext, args: ToolArgs["edit_file"]): Promise<ToolOutput> {
  const target = await ctx.guard.forWrite(args.path);
  if (!target.stats) throw new AppError("bad_request", `${args.path} does not exist; use write_file to create it.`, { reason: "not_found", path: args.path });
  const { text } = await readText(ctx, target.relative);
  const found = occurrences(text, args.old_string);
  if (found.length === 0) {
    throw new AppError("bad_request", `old_string was not found in ${target.relative}; read the file and copy the text exactly (whitespace included).`, {
      reason: "edit_no_match",
      path: target.relative,
    });
  }
  if (found.length > 1) {
    throw new AppError("bad_request", `old_string occurs ${found.length} times in ${target.relative}; include more surrounding lines so it matches exactly once.`, {
      reason: "edit_ambiguous",
      path: target.relative,
      count: found.length,
    });
  }
  const at = found[0] as number;
  // Slices, not String.replace: `$&` and friends in new_string must stay literal.
  const updated = text.slice(0, at) + args.new_string + text.slice(at + args.old_string.length);
  const checkpointId = await createCheckpoint(ctx.guard, ctx.checkpointDir, [target.relative], `edit_file ${target.relative}`);
  await ctx.guard.writeFile(target.relative, updated);
  const line = text.slice(0, at).split("\n").length;
  return { content: `Edited ${target.relative}: replaced 1 occurrence at line ${line}.`, data: { path: target.relative, line }, checkpointId };
}
