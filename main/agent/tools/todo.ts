import type { ToolOutput } from "./output";
import type { ToolArgs } from "./schemas";

const MARK = { pending: "[ ]", in_progress: "[>]", completed: "[x]" } as const;

export function todoTool(args: ToolArgs["todo"]): ToolOutput {
  const lines = args.items.map((item, i) => `${MARK[item.status]} ${i + 1}. ${item.content}`);
  const done = args.items.filter((i) => i.status === "completed").length;
  return { content: [`Plan (${done}/${args.items.length} done):`, ...lines].join("\n"), data: { items: args.items } };
}
