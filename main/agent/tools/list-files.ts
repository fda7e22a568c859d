import type { ToolContext } from "./context";
import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";
import { walk } from "./walk";

const MAX_ENTRIES = 1000;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function listFiles(ctx: ToolContext, args: ToolArgs["list_files"]): Promise<ToolOutput> {
  const dir = await ctx.guard.forDirectory(args.path);
  const depth = args.depth ?? 2;
  const lines: string[] = [];
  let more = 0;
  for await (const entry of walk(ctx.guard, dir.relative, depth)) {
    if (lines.length >= MAX_ENTRIES) {
      more++;
      continue;
    }
    const name = entry.relative.slice(dir.relative === "" ? 0 : dir.relative.length + 1);
    const indent = "  ".repeat(entry.depth - 1);
    const leaf = name.slice(name.lastIndexOf("/") + 1);
    lines.push(entry.isDirectory ? `${indent}${leaf}/` : `${indent}${leaf} (${size(entry.size)})${entry.hardlinked ? " [hard-linked: not readable]" : ""}`);
  }
  const header = `${dir.relative === "" ? "." : dir.relative}/ (depth ${depth}; .gitignore'd files and .git not shown)`;
  const footer = more > 0 ? [`[… ${more} more entries not shown; call list_files on a subfolder]`] : [];
  return { content: [header, ...(lines.length ? lines : ["(empty)"]), ...footer].join("\n"), data: { entries: lines.length, more } };
}
