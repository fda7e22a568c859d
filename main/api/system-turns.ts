import type { ChatMessage } from "../../app/m2/types";

/**
 * M2's template renders a system turn only as the first message and drops any later one. A client's later
 * system message (Claude Code's environment notes inside `messages`, a developer item in the middle of a
 * Responses input) becomes a user turn in its place: the model still reads it, and the prompt before it stays
 * the same, so the KV cache still holds it.
 */
export function laterSystemTurnsAsUser(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.map((message, index) => (index > 0 && message.role === "system" ? { role: "user", content: message.content } : message));
}
