import type { MessageStatus, StoredMessage } from "../../../app/chat/types";
import type { LiveAnswer } from "./live-answer";
import { formatInt } from "../lib/format";

/** What a message shows, in order: one thinking block per step, text, and tool-call cards. */
export type DisplayPart =
  | {
      kind: "thinking";
      key: string;
      text: string;
      /** Still being written: shown open with a running timer. */
      live: boolean;
      startedAt?: number;
      ms?: number;
      tokens: number;
      tokensEstimated: boolean;
    }
  | { kind: "content"; key: string; text: string }
  | { kind: "tool"; key: string; name: string; args: Record<string, string>; status: "running" | "done" | "error"; error?: string };

/** Roughly four characters per token: only for answers stored without a count. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}

const argsText = (args: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v, null, 2)]));

/**
 * The stored message, overlaid with the live stream while it is generating. Once the
 * stored copy is final it wins, keeping the client's reasoning timing if the stats lack it.
 */
export function displayParts(message: StoredMessage, live: LiveAnswer | undefined): DisplayPart[] {
  if (live && message.status === "streaming") {
    // Keys by kind and ordinal, the same as for the stored copy: the final message must not remount the markdown.
    const seen = { reasoning: 0, content: 0, tool: 0 };
    return live.parts.map((p): DisplayPart => {
      const key = `${p.kind}${seen[p.kind]++}`;
      switch (p.kind) {
        case "reasoning":
          return {
            kind: "thinking",
            key,
            text: p.text,
            live: p.endedAt === undefined && !live.finished,
            startedAt: p.startedAt,
            ...(p.endedAt !== undefined ? { ms: p.endedAt - p.startedAt } : {}),
            tokens: p.tokens,
            tokensEstimated: false,
          };
        case "content":
          return { kind: "content", key, text: p.text };
        case "tool":
          return { kind: "tool", key, name: p.name, args: p.args, status: p.status, ...(p.error ? { error: p.error } : {}) };
      }
    });
  }
  const parts: DisplayPart[] = [];
  if (message.reasoning) {
    const measured = live?.parts.find((p) => p.kind === "reasoning");
    const liveMs = measured?.kind === "reasoning" && measured.endedAt !== undefined ? measured.endedAt - measured.startedAt : undefined;
    const ms = message.stats?.reasoningMs ?? liveMs;
    const counted = message.stats?.reasoningTokens ?? (measured?.kind === "reasoning" ? measured.tokens : undefined);
    const streamingOnly = message.status === "streaming" && message.content.trim() === "" && message.toolCalls.length === 0;
    parts.push({
      kind: "thinking",
      key: "reasoning0",
      text: message.reasoning,
      live: streamingOnly,
      ...(ms !== undefined ? { ms } : {}),
      tokens: counted ?? estimateTokens(message.reasoning),
      tokensEstimated: counted === undefined,
    });
  }
  if (message.content || message.role !== "assistant") parts.push({ kind: "content", key: "content0", text: message.content });
  message.toolCalls.forEach((call, i) =>
    parts.push({ kind: "tool", key: `tool${i}`, name: call.name, args: argsText(call.arguments), status: "done" }),
  );
  return parts;
}

export function isFinal(status: MessageStatus): boolean {
  return status !== "streaming";
}

/** True once visible answer text (or a tool call) follows the thinking at `index`: auto mode collapses it then. */
export function answerStartedAfter(parts: readonly DisplayPart[], index: number): boolean {
  return parts.slice(index + 1).some((p) => p.kind === "tool" || (p.kind === "content" && p.text.trim() !== ""));
}

/** "12 s", "1 min 5 s". */
export function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "Thought for 12 s · 480 tokens". */
export function thinkingSummary(part: Extract<DisplayPart, { kind: "thinking" }>): string {
  const tokens = `${part.tokensEstimated ? "~" : ""}${formatInt(part.tokens)} token${part.tokens === 1 ? "" : "s"}`;
  return part.ms !== undefined ? `Thought for ${formatSeconds(part.ms)} · ${tokens}` : `Thought · ${tokens}`;
}
