import type { ToolContext } from "./context";
import { createCheckpoint } from "./checkpoint";
import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";

export async function writeFileTool(ctx: ToolContext, args: ToolArgs["write_file"]): Promise<ToolOutput> {
  const target = await ctx.guard.forWrite(args.path);
  const checkpointId = await createCheckpoint(ctx.guard, ctx.checkpointDir, [target.relative], `write_file ${target.relative}`);
  await ctx.guard.writeFile(target.relative, args.content);
  const bytes = Buffer.byteLength(args.content);
  return {
    content: `Wrote ${bytes} bytes to ${target.relative} (${target.stats ? "replaced" : "created"}).`,
    data: { path: target.relative, bytes, created: !target.stats },
    checkpointId,
  };
}
