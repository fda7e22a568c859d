import type { ToolDefinition } from "./types";

/** Why generation stopped, as the engine saw it. */
export type M2EndReason = "stop" | "length" | "abort" | "error";

/** `tool_calls` replaces `stop` when at least one error-free tool call completed. */
export type M2FinishReason = "stop" | "length" | "tool_calls" | "abort" | "error";

/** Every parse error code; the contract validates events against this list. */
export const M2_PARSE_ERROR_CODES = [
  /** The call names a tool that is not in `options.tools` (only checked when tools were given). */
  "unknown_tool",
  /** `<invoke>` or `<parameter>` without a usable `name=`. */
  "malformed_tag",
  /** A parameter the tool's schema does not declare (M3's parser checks; the call fails). */
  "unknown_parameter",
  /** `</minimax:tool_call>` or the next `<invoke` arrived before `</invoke>`. */
  "unclosed_invoke",
  /** The stream ended inside a `<minimax:tool_call>` block. */
  "unclosed_tool_call",
  /** A value is JSON nested deeper than MAX_JSON_DEPTH; it is kept as text and the call fails. */
  "argument_too_deep",
  /** Non-blank text inside a tool block, outside any tag; it is dropped. */
  "unexpected_text",
  /**
   * A tool block opened while still reasoning: reasoning was closed implicitly. Or (with
   * `unclosedReasoningIsAnswer`) the stream stopped before `</think>`: the reasoning is repeated as content.
   */
  "missing_think_end",
  /** A `</think>` in content (outside a code fence); the tag is dropped. */
  "unexpected_think_end",
  /** A bug in the parser itself; the stream still ends with `done`. */
  "internal",
] as const;
export type M2ParseErrorCode = (typeof M2_PARSE_ERROR_CODES)[number];

export interface M2ParseErrorInfo {
  code: M2ParseErrorCode;
  message: string;
}

export interface M2ReasoningDeltaEvent {
  type: "reasoning_delta";
  text: string;
}

export interface M2ContentDeltaEvent {
  type: "content_delta";
  text: string;
}

export interface M2ToolCallStartedEvent {
  type: "tool_call_started";
  /** 0-based, counts every `<invoke>` of the message, valid or not. */
  index: number;
  name: string;
}

/**
 * Raw value text as it streams; joined deltas equal the `raw` of the completion event.
 * A value cut off by the end of the stream gets deltas but no completion event.
 */
export interface M2ToolCallArgumentDeltaEvent {
  type: "tool_call_argument";
  index: number;
  name: string;
  parameter: string;
  complete: false;
  value_delta: string;
}

/** Once per parameter, at `</parameter>`: the trimmed raw text and its schema-typed value. */
export interface M2ToolCallArgumentCompleteEvent {
  type: "tool_call_argument";
  index: number;
  name: string;
  parameter: string;
  complete: true;
  raw: string;
  value: unknown;
}

export type M2ToolCallArgumentEvent = M2ToolCallArgumentDeltaEvent | M2ToolCallArgumentCompleteEvent;

export interface M2ToolCallCompletedEvent {
  type: "tool_call_completed";
  index: number;
  name: string;
  arguments: Record<string, unknown>;
  /** Present when the call must not be executed as is. */
  error?: M2ParseErrorInfo;
}

export interface M2ParseErrorEvent {
  type: "parse_error";
  code: M2ParseErrorCode;
  message: string;
  /** The offending model text, verbatim ("" when there is none). */
  raw: string;
}

export interface M2DoneEvent {
  type: "done";
  finish_reason: M2FinishReason;
}

export type M2ParseEvent =
  | M2ReasoningDeltaEvent
  | M2ContentDeltaEvent
  | M2ToolCallStartedEvent
  | M2ToolCallArgumentEvent
  | M2ToolCallCompletedEvent
  | M2ParseErrorEvent
  | M2DoneEvent;

export interface M2StreamParserOptions {
  /** Schemas type parameter values; when given, calls to other names are flagged `unknown_tool`. */
  tools?: ToolDefinition[];
  /**
   * For models that sometimes never write `</think>` (MiniMax-M2.1 and later): when the stream
   * stops with the reasoning still open and nothing else written, the reasoning was the answer.
   * It is then repeated as content after a `missing_think_end` parse error, so the reply is not
   * empty. Off for M2, whose output keeps its reasoning/content split as written.
   */
  unclosedReasoningIsAnswer?: boolean;
}

export interface M2StreamParser {
  /** Feeds model text; returns the events it settles. Never throws. */
  push(delta: string): M2ParseEvent[];
  /** Flushes held text and returns the final events, always ending with exactly one `done`. */
  end(reason: M2EndReason): M2ParseEvent[];
}
