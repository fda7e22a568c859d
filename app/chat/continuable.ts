import type { StoredMessage } from "./types";

/**
 * Whether chat.continue can take an answer up again: one cut short (stopped, or the engine died under it)
 * that called no tools (a tool call's turn is the agent loop's, regenerated rather than continued).
 */
export function isContinuable(message: Pick<StoredMessage, "role" | "status" | "toolCalls">): boolean {
  return message.role === "assistant" && (message.status === "stopped" || message.status === "interrupted") && message.toolCalls.length === 0;
}
