import type { M2FinishReason, M2ParseErrorCode, M2ParseErrorInfo, M2ParseEvent } from "./parser-events";
import { EventSink } from "./parser-io";
import { createM2StreamParser } from "./parser-stream";
import type { ToolDefinition } from "./types";

export interface M2ParsedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the call must not be executed as is (also listed in `errors`). */
  error?: M2ParseErrorInfo;
}

export interface M2ParsedError {
  code: M2ParseErrorCode;
  message: string;
  raw: string;
  /** Set when the error belongs to a tool call: its index in `tool_calls`. */
  tool_call_index?: number;
}

/** A whole message, as `m2d parse` prints it. */
export interface M2ParsedOutput {
  reasoning: string;
  content: string;
  tool_calls: M2ParsedToolCall[];
  errors: M2ParsedError[];
  finish_reason: M2FinishReason;
}

/**
 * Joins adjacent deltas of the same stream (reasoning, content, one parameter's value):
 * the form in which any two chunkings of one output give identical events.
 */
export function joinM2Events(events: readonly M2ParseEvent[]): M2ParseEvent[] {
  const sink = new EventSink();
  // Copies, because the sink extends the last delta in place.
  for (const event of events) sink.emit({ ...event });
  return sink.drain();
}

/** Folds a parser's events into one message. */
export function summarizeM2Events(events: readonly M2ParseEvent[]): M2ParsedOutput {
  const out: M2ParsedOutput = { reasoning: "", content: "", tool_calls: [], errors: [], finish_reason: "stop" };
  for (const event of events) {
    switch (event.type) {
      case "reasoning_delta":
        out.reasoning += event.text;
        break;
      case "content_delta":
        out.content += event.text;
        break;
      case "tool_call_completed":
        if (event.error === undefined) {
          out.tool_calls.push({ name: event.name, arguments: event.arguments });
        } else {
          out.tool_calls.push({ name: event.name, arguments: event.arguments, error: event.error });
          out.errors.push({ ...event.error, raw: "", tool_call_index: event.index });
        }
        break;
      case "parse_error":
        out.errors.push({ code: event.code, message: event.message, raw: event.raw });
        break;
      case "done":
        out.finish_reason = event.finish_reason;
        break;
      default:
        break;
    }
  }
  return out;
}

/** Parses a complete model output (as if generation stopped normally) with the streaming parser. */
export function parseM2Output(raw: string, tools?: ToolDefinition[]): M2ParsedOutput {
  const parser = createM2StreamParser(tools === undefined ? {} : { tools });
  return summarizeM2Events([...parser.push(raw), ...parser.end("stop")]);
}
