import { hostAllowed } from "../../../app/agent/fetch-allow";
import type { ToolRequests } from "../../../app/agent/policy";
import type { ToolArgs, ToolName } from "../../../app/agent/tool-definitions";
import { analyzeCommand } from "../shell/analyze";
import { checkPageTool } from "./check-page";
import type { ToolContext } from "./context";
import { editFileTool } from "./edit-file";
import { checkFetchUrl, fetchUrlTool } from "./fetch-url";
import { listFiles } from "./list-files";
import type { ToolOutput } from "./output";
import { readFileTool } from "./read-file";
import { commandExecution, runCommandTool } from "./run-command";
import { searchTool } from "./search";
import { todoTool } from "./todo";
import { writeFileTool } from "./write-file";

/** The host side of a built-in tool (its definition, what the model and the policy see, is app/agent/tool-definitions.ts). */
export interface ToolImplementation<N extends ToolName> {
  /** Resolves paths through the guard, parses commands: what the policy needs, checked before anything runs. */
  request(ctx: ToolContext, args: ToolArgs[N]): Promise<ToolRequests[N]> | ToolRequests[N];
  /** Runs an approved call. */
  run(ctx: ToolContext, args: ToolArgs[N]): Promise<ToolOutput> | ToolOutput;
}

/** One per defined tool: a tool without an implementation is a type error here. */
export const TOOL_IMPLEMENTATIONS: { [N in ToolName]: ToolImplementation<N> } = {
  list_files: {
    request: async (ctx, args) => ({ tool: "list_files", workspace: ctx.workspace, path: (await ctx.guard.forDirectory(args.path)).relative || "." }),
    run: listFiles,
  },
  read_file: {
    request: async (ctx, args) => ({ tool: "read_file", workspace: ctx.workspace, path: (await ctx.guard.forRead(args.path)).relative }),
    run: readFileTool,
  },
  write_file: {
    request: async (ctx, args) => ({ tool: "write_file", workspace: ctx.workspace, path: (await ctx.guard.forWrite(args.path)).relative }),
    run: writeFileTool,
  },
  edit_file: {
    request: async (ctx, args) => ({ tool: "edit_file", workspace: ctx.workspace, path: (await ctx.guard.forWrite(args.path)).relative }),
    run: editFileTool,
  },
  search: {
    request: async (ctx, args) => ({ tool: "search", workspace: ctx.workspace, path: (await ctx.guard.resolve(args.path ?? ".")).relative || "." }),
    run: searchTool,
  },
  run_command: {
    request: async (ctx, args) => ({
      tool: "run_command",
      workspace: ctx.workspace,
      command: args.command,
      analysis: await analyzeCommand(args.command),
      execution: commandExecution(ctx, args),
    }),
    run: runCommandTool,
  },
  fetch_url: {
    request: (ctx, args) => {
      const url = checkFetchUrl(ctx, args.url);
      return { tool: "fetch_url", url: url.href, host: url.hostname, enabled: ctx.settings.fetch.enabled, hostAllowed: hostAllowed(url.hostname, ctx.settings.fetch.allowedHosts) };
    },
    run: fetchUrlTool,
  },
  todo: {
    request: (_ctx, args) => ({ tool: "todo", summary: `update the plan (${args.items.length} items)` }),
    run: (_ctx, args) => todoTool(args),
  },
  check_page: {
    request: async (ctx, args) => ({ tool: "check_page", workspace: ctx.workspace, path: (await ctx.guard.forRead(args.path)).relative }),
    run: checkPageTool,
  },
};
