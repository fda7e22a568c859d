import type { StoredMessage } from "../../../app/chat/types";

const STEP_CHARS = 400;
const TOTAL_CHARS = 12_000;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * An attempt's trajectory for the verifier: each step's reasoning, calls and results, each cut short, the whole
 * kept to a budget from the end (the last steps say most about the result).
 */
export function compactTrajectory(path: readonly StoredMessage[]): string {
  const lines: string[] = [];
  for (const message of path) {
    if (message.role === "assistant") {
      if (message.reasoning.trim()) lines.push(`[thinking] ${cut(message.reasoning.trim(), STEP_CHARS)}`);
      for (const call of message.toolCalls) lines.push(`[call] ${call.name} ${cut(JSON.stringify(call.arguments), STEP_CHARS)}`);
      if (message.content.trim()) lines.push(`[answer] ${cut(message.content.trim(), STEP_CHARS)}`);
    } else if (message.role === "tool") {
      lines.push(`[result${message.error ? " error" : ""}] ${cut(message.content.trim(), STEP_CHARS)}`);
    }
  }
  const text = lines.join("\n");
  return text.length > TOTAL_CHARS ? `…${text.slice(text.length - TOTAL_CHARS)}` : text;
}
