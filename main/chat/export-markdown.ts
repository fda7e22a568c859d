import { describeGeneration } from "../../app/chat/generation";
import type { Conversation, StoredMessage } from "../../app/chat/types";

/** A fence longer than any backtick run inside, so code in the text cannot close it. */
function fenced(text: string, info = ""): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

const STATUS_NOTES: Partial<Record<StoredMessage["status"], string>> = {
  stopped: "_Stopped by the user._",
  interrupted: "_Interrupted: the answer was cut off._",
  error: "_Failed._",
  streaming: "_Still generating when exported._",
};

function messageBlock(m: StoredMessage): string {
  const parts: string[] = [];
  switch (m.role) {
    case "system":
      parts.push("## System", m.content);
      break;
    case "user":
      parts.push("## User", m.content);
      break;
    case "assistant":
      parts.push("## Assistant");
      if (m.generation) parts.push(`_${describeGeneration(m.generation)}_`);
      if (m.reasoning) {
        // A literal </details> in the reasoning would close the block early.
        const reasoning = m.reasoning.replaceAll("</details>", "&lt;/details&gt;");
        parts.push(`<details><summary>Thinking</summary>\n\n${reasoning}\n\n</details>`);
      }
      if (m.content) parts.push(m.content);
      for (const call of m.toolCalls) {
        parts.push(`Tool call \`${call.name}\`:`, fenced(JSON.stringify({ name: call.name, arguments: call.arguments }, null, 2), "json"));
      }
      break;
    case "tool":
      parts.push(m.toolName ? `## Tool result: \`${m.toolName}\`` : "## Tool result", fenced(m.content));
      break;
  }
  const note = STATUS_NOTES[m.status];
  if (note) parts.push(m.error ? `${note} ${m.error}` : note);
  return parts.filter((p) => p !== "").join("\n\n");
}

/** One branch (the one on screen) as Markdown: title, system prompt, then each message. */
export function renderMarkdown(conversation: Conversation, path: readonly StoredMessage[]): string {
  const blocks = [`# ${conversation.title.replace(/\s+/g, " ")}`];
  if (conversation.settings.systemPrompt) blocks.push(`## System\n\n${conversation.settings.systemPrompt}`);
  for (const m of path) blocks.push(messageBlock(m));
  return `${blocks.join("\n\n")}\n`;
}
