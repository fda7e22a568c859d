import type { ChatMessage } from "../m2/types";

/** Stable text for a call, so `{a:1,b:2}` and `{b:2,a:1}` count as the same call. */
export function callSignature(name: string, args: Record<string, unknown>): string {
  const stable = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(stable)
      : value && typeof value === "object"
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, stable((value as Record<string, unknown>)[k])]))
        : value;
  return `${name} ${JSON.stringify(stable(args))}`;
}

/** Stops a loop that makes the same tool call `limit` times in a row. */
export class RepeatDetector {
  private last: string | undefined;
  private count = 0;

  constructor(private readonly limit = 3) {}

  /** Returns true when this call completes a run of `limit` identical calls. */
  record(name: string, args: Record<string, unknown>): boolean {
    const signature = callSignature(name, args);
    this.count = signature === this.last ? this.count + 1 : 1;
    this.last = signature;
    return this.count >= this.limit;
  }
}

export const TRUNCATION_MARKER = "[output truncated to fit the context budget: {n} characters removed; run the tool again if you need them]";

function toolText(message: ChatMessage & { role: "tool" }): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

/**
 * Keeps tool outputs within `budgetChars` in total by cutting the oldest ones first (keeping their head),
 * with a marker the model can act on. Tool results after the last assistant turn (the step being answered)
 * and every message's reasoning are never touched.
 */
export function fitToolOutputs(messages: readonly ChatMessage[], budgetChars: number, keepHeadChars = 400): ChatMessage[] {
  const out = messages.map((m) => ({ ...m })) as ChatMessage[];
  const lastAssistant = out.findLastIndex((m) => m.role === "assistant");
  const candidates = out
    .map((m, index) => ({ m, index }))
    .filter((x): x is { m: ChatMessage & { role: "tool" }; index: number } => x.m.role === "tool");
  let total = candidates.reduce((n, { m }) => n + toolText(m).length, 0);
  for (const { m, index } of candidates) {
    if (total <= budgetChars) break;
    if (index > lastAssistant) continue; // the current step's results stay whole
    const text = toolText(m);
    if (text.length <= keepHeadChars) continue;
    const removed = text.length - keepHeadChars;
    out[index] = { ...m, content: `${text.slice(0, keepHeadChars)}\n${TRUNCATION_MARKER.replace("{n}", String(removed))}` };
    total -= removed;
  }
  return out;
}
