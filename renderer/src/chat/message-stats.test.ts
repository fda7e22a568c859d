import { describe, expect, it } from "vitest";
import type { MessageStats } from "../../../app/chat/types";
import { formatMessageStats, messageStatsDetails } from "./message-stats";

const stats: MessageStats = {
  promptTokens: 5400, reusedTokens: 5000, evaluatedTokens: 400, ttftMs: 340.4, prefillTps: 812.25, decodeTps: 12.34,
  generatedTokens: 1200, totalMs: 98_400,
};

describe("message stats", () => {
  it("shows tok/s, time to first token and the token count of one answer", () => {
    expect(formatMessageStats(stats)).toBe("12.3 tok/s · TTFT 340 ms · 1,200 tokens");
    expect(formatMessageStats({ ...stats, ttftMs: 2450, generatedTokens: 1 })).toBe("12.3 tok/s · TTFT 2.5 s · 1 token");
  });

  it("details the prompt, the cache reuse and the thinking for the hover", () => {
    const details = messageStatsDetails({ ...stats, reasoningTokens: 300, reasoningMs: 24_000 });
    expect(details).toContain("Prompt: 5,400 tokens (5,000 reused from the cache, 400 evaluated at 812.3 tok/s)");
    expect(details).toContain("total 98.4 s");
    expect(details).toContain("Thinking: 300 tokens in 24.0 s");
    expect(messageStatsDetails(stats)).not.toContain("Thinking");
  });
});
