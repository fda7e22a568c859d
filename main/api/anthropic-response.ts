import { generationError } from "./route-context";
import type { GenerationEvent, GenerationStats } from "../../app/contract";
import type { AnthropicStopReason, AnthropicUsage } from "../../app/contract/anthropic-api";
import { Answer, apiId, stoppedFor } from "./answer";
import { errorBody } from "./errors";
import type { StreamMapper } from "./respond";
import type { SseWriter } from "./sse";

type DoneEvent = Extract<GenerationEvent, { type: "done" }>;

export function anthropicUsage(stats: GenerationStats | undefined): AnthropicUsage {
  const reused = stats?.reusedTokens ?? 0;
  return {
    // Anthropic counts cached tokens apart from input_tokens.
    input_tokens: (stats?.promptTokens ?? 0) - reused,
    output_tokens: stats?.generatedTokens ?? 0,
    cache_read_input_tokens: reused,
    cache_creation_input_tokens: 0,
  };
}

/** Why the message ended, and the stop sequence that ended it (null for any other reason), as Anthropic reports them. */
function stopped(done: DoneEvent, answer: Answer): { stop_reason: AnthropicStopReason; stop_sequence: string | null } {
  const reason = stoppedFor(done, answer);
  if (reason === "length") return { stop_reason: "max_tokens", stop_sequence: null };
  if (reason === "tool_calls") return { stop_reason: "tool_use", stop_sequence: null };
  return done.stop_sequence !== undefined ? { stop_reason: "stop_sequence", stop_sequence: done.stop_sequence } : { stop_reason: "end_turn", stop_sequence: null };
}

export function messageId(): string {
  return apiId("msg_");
}

/** The non-streaming `message` object: thinking, then text, then tool_use blocks. */
export function messageBody(id: string, model: string, answer: Answer, done: DoneEvent): unknown {
  const content: unknown[] = [];
  if (answer.reasoning) content.push({ type: "thinking", thinking: answer.reasoning, signature: "" });
  if (answer.content.trim()) content.push({ type: "text", text: answer.content });
  for (const call of answer.calls()) content.push({ type: "tool_use", id: call.id, name: call.name, input: call.arguments });
  return { id, type: "message", role: "assistant", model, content, ...stopped(done, answer), usage: anthropicUsage(answer.stats) };
}

type OpenBlock = "thinking" | "text" | "tool_use";

/** Anthropic's event sequence: message_start, content_block_start/delta/stop per block, message_delta, message_stop. */
export class MessageStream implements StreamMapper {
  private readonly answer = new Answer("toolu_");
  private open: OpenBlock | undefined;
  private index = -1;

  constructor(
    private readonly sse: () => SseWriter,
    private readonly id: string,
    private readonly model: string,
  ) {}

  start(): void {
    this.sse().event("message_start", {
      type: "message_start",
      message: { id: this.id, type: "message", role: "assistant", model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined) },
    });
  }

  private block(type: OpenBlock, contentBlock: unknown): void {
    this.close();
    this.open = type;
    this.index += 1;
    this.sse().event("content_block_start", { type: "content_block_start", index: this.index, content_block: contentBlock });
  }

  private delta(delta: unknown): void {
    this.sse().event("content_block_delta", { type: "content_block_delta", index: this.index, delta });
  }

  private close(): void {
    if (this.open === undefined) return;
    this.sse().event("content_block_stop", { type: "content_block_stop", index: this.index });
    this.open = undefined;
  }

  onEvent(event: GenerationEvent): void {
    const call = this.answer.apply(event);
    if (event.type === "reasoning_delta") {
      if (this.open !== "thinking") this.block("thinking", { type: "thinking", thinking: "", signature: "" });
      this.delta({ type: "thinking_delta", thinking: event.text });
    } else if (event.type === "content_delta") {
      // The blank line between thinking and a tool call is no text block of its own.
      if (this.open !== "text" && !event.text.trim()) return;
      if (this.open !== "text") this.block("text", { type: "text", text: "" });
      this.delta({ type: "text_delta", text: event.text });
    } else if (call) {
      // Whole calls only, at their end: a call the parser flags is never sent (see Answer).
      this.block("tool_use", { type: "tool_use", id: call.id, name: call.name, input: {} });
      this.delta({ type: "input_json_delta", partial_json: JSON.stringify(call.arguments) });
      this.close();
    }
  }

  finish(done: DoneEvent): void {
    this.close();
    this.sse().event("message_delta", { type: "message_delta", delta: stopped(done, this.answer), usage: anthropicUsage(this.answer.stats) });
    this.sse().event("message_stop", { type: "message_stop" });
  }

  fail(error: { code: string; message: string }): void {
    this.sse().event("error", errorBody("anthropic", generationError(error)));
  }
}
