import type { StoredMessage } from "../../../../app/chat/types";
import type { PendingApproval, ToolRunRow } from "../../../../app/contract/agent-api";

export type AgentToolStatus = "pending" | "awaiting_approval" | "running" | "ok" | "error" | "denied" | "not_run";

export const TOOL_STATUS_LABEL: Record<AgentToolStatus, string> = {
  pending: "pending",
  awaiting_approval: "awaiting approval",
  running: "running…",
  ok: "ok",
  error: "error",
  denied: "denied",
  not_run: "not run",
};

export interface ToolCallFacts {
  run: ToolRunRow | undefined;
  result: StoredMessage | undefined;
  approval: PendingApproval | undefined;
  /** The loop for this conversation is working. */
  running: boolean;
  /** An earlier call of the same step has no result yet (calls that change things run one by one). */
  earlierUnfinished: boolean;
}

/** Where one tool call of an agent step stands, from what the backend stored and published. */
export function toolCallStatus({ run, result, approval, running, earlierUnfinished }: ToolCallFacts): AgentToolStatus {
  if (run) {
    if (run.decision === "deny" || (run.decision === "ask" && !run.approved)) return "denied";
    return run.ok ? "ok" : "error";
  }
  if (result) return result.error ? "error" : "ok";
  if (approval) return "awaiting_approval";
  if (!running) return "not_run";
  return earlierUnfinished ? "pending" : "running";
}
