import type { MessageStats } from "../../../app/chat/types";

/** "340 ms" under a second, "1.2 s" above. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One answer's speed, as its footer shows it: "12.3 tok/s · TTFT 340 ms · 120 tokens". */
export function formatMessageStats(stats: MessageStats): string {
  const tokens = `${stats.generatedTokens.toLocaleString("en-US")} ${stats.generatedTokens === 1 ? "token" : "tokens"}`;
  return `${stats.decodeTps.toFixed(1)} tok/s · TTFT ${formatMs(stats.ttftMs)} · ${tokens}`;
}

/** The details behind it, for the hover: prompt size, what the cache reused, prefill speed, total time. */
export function messageStatsDetails(stats: MessageStats): string {
  const lines = [
    `Prompt: ${stats.promptTokens.toLocaleString("en-US")} tokens (${stats.reusedTokens.toLocaleString("en-US")} reused from the cache, ${stats.evaluatedTokens.toLocaleString("en-US")} evaluated at ${stats.prefillTps.toFixed(1)} tok/s)`,
    `Generated: ${stats.generatedTokens.toLocaleString("en-US")} tokens at ${stats.decodeTps.toFixed(1)} tok/s`,
    `Time to first token: ${formatMs(stats.ttftMs)} · total ${formatMs(stats.totalMs)}`,
  ];
  if (stats.reasoningTokens !== undefined) lines.push(`Thinking: ${stats.reasoningTokens.toLocaleString("en-US")} tokens${stats.reasoningMs !== undefined ? ` in ${formatMs(stats.reasoningMs)}` : ""}`);
  return lines.join("\n");
}
