import { randomBytes } from "node:crypto";
import type { GenerationEvent, GenerationStats } from "../../app/contract";

export interface AnswerToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

type DoneEvent = Extract<GenerationEvent, { type: "done" }>;

/** An id in the style each API uses (`call_…`, `toolu_…`, `msg_…`). */
export function apiId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString("hex")}`;
}

/**
 * One generation's answer as it accumulates, for non-streaming responses and for each API's streams.
 * A tool call counts once it completed without a parse error: the parser flags a malformed or cut-off
 * call, which the app never runs, so no client is handed one to run either.
 */
export class Answer {
  reasoning = "";
  content = "";
  stats: GenerationStats | undefined;
  private readonly toolCalls = new Map<number, AnswerToolCall>();

  constructor(private readonly toolIdPrefix: string) {}

  /** Returns the call a `tool_call_completed` event completed, when it is a valid one. */
  apply(event: GenerationEvent): AnswerToolCall | undefined {
    switch (event.type) {
      case "reasoning_delta":
        this.reasoning += event.text;
        return undefined;
      case "content_delta":
        this.content += event.text;
        return undefined;
      case "tool_call_completed": {
        if (event.error) return undefined;
        const call = { id: apiId(this.toolIdPrefix), name: event.name, arguments: event.arguments };
        this.toolCalls.set(event.index, call);
        return call;
      }
      case "stats":
        this.stats = event.stats;
        return undefined;
      default:
        return undefined;
    }
  }

  /** Calls that ended with a tool block, in order. */
  calls(): AnswerToolCall[] {
    return [...this.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}

export function stoppedFor(done: DoneEvent, answer: Answer): "stop" | "length" | "tool_calls" {
  if (done.finish_reason === "length") return "length";
  return answer.calls().length > 0 ? "tool_calls" : "stop";
}
