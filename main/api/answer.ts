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

/** One generation's answer as it accumulates, for non-streaming responses and for each API's streaming ids. */
export class Answer {
  reasoning = "";
  content = "";
  stats: GenerationStats | undefined;
  readonly toolCalls = new Map<number, AnswerToolCall>();

  constructor(private readonly toolIdPrefix: string) {}

  /** Returns the tool call an event is about, once it has an id. */
  apply(event: GenerationEvent): AnswerToolCall | undefined {
    switch (event.type) {
      case "reasoning_delta":
        this.reasoning += event.text;
        return undefined;
      case "content_delta":
        this.content += event.text;
        return undefined;
      case "tool_call_started": {
        const call = { id: apiId(this.toolIdPrefix), name: event.name, arguments: {} };
        this.toolCalls.set(event.index, call);
        return call;
      }
      case "tool_call_completed": {
        const call = this.toolCalls.get(event.index) ?? { id: apiId(this.toolIdPrefix), name: event.name, arguments: {} };
        call.arguments = event.arguments;
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
  return done.finish_reason === "tool_calls" || answer.toolCalls.size > 0 ? "tool_calls" : "stop";
}
