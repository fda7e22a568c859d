import { CHAT_EXPORT_FORMAT, CHAT_EXPORT_VERSION, type ChatExport } from "../app/chat/export-format";
import { section } from "../renderer/src/bench/bench-text";

/** A stored conversation of `count` messages in the export format, for chat.import: one long branch. */
export function conversationDocument(count: number): ChatExport {
  const t0 = Date.UTC(2025, 0, 1);
  const messages: ChatExport["messages"] = [];
  for (let i = 0; i < count; i++) {
    const user = i % 2 === 0;
    messages.push({
      id: `m${i}`,
      parentId: i === 0 ? null : `m${i - 1}`,
      role: user ? "user" : "assistant",
      // Every fifth answer is a full section (code, table, math…), the rest a short paragraph.
      content: user ? `Question ${i / 2 + 1}: part ${i}?` : i % 10 === 1 ? section(i) : `Part ${i} in short: see \`step(${i})\`, **bold** and $x^2$.`,
      reasoning: user ? "" : `Part ${i}.`,
      toolCalls: [],
      status: "complete",
      createdAt: t0 + i * 1000,
      updatedAt: t0 + i * 1000,
    });
  }
  return {
    format: CHAT_EXPORT_FORMAT,
    version: CHAT_EXPORT_VERSION,
    exportedAt: t0,
    conversation: {
      id: "bench",
      title: `Benchmark: ${count} messages`,
      titleIsAuto: false,
      pinned: false,
      kind: "chat",
      settings: { temperature: 1, topP: 0.95, topK: 40 },
      createdAt: t0,
      updatedAt: t0 + count * 1000,
      activeLeafId: `m${count - 1}`,
    },
    messages,
  };
}
