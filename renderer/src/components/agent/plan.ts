import type { ViewItem } from "../../chat/branch";

export interface PlanItem {
  content: string;
  status: "pending" | "in_progress" | "completed";
}

const STATUSES = new Set(["pending", "in_progress", "completed"]);

/** The latest `todo` call on the branch on screen: the agent's current plan. */
export function latestPlan(items: readonly ViewItem[]): PlanItem[] | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const calls = items[i]!.message.toolCalls;
    for (let j = calls.length - 1; j >= 0; j--) {
      const call = calls[j]!;
      if (call.name !== "todo" || !Array.isArray(call.arguments["items"])) continue;
      return (call.arguments["items"] as unknown[]).flatMap((item): PlanItem[] => {
        if (typeof item !== "object" || item === null) return [];
        const { content, status } = item as Record<string, unknown>;
        return typeof content === "string" && typeof status === "string" && STATUSES.has(status) ? [{ content, status: status as PlanItem["status"] }] : [];
      });
    }
  }
  return null;
}
