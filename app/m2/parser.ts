/** MiniMax-M2 output parsing: the public surface. Rules live in parser-stream.ts. */
export type {
  M2ContentDeltaEvent,
  M2DoneEvent,
  M2EndReason,
  M2FinishReason,
  M2ParseErrorCode,
  M2ParseErrorEvent,
  M2ParseErrorInfo,
  M2ParseEvent,
  M2ReasoningDeltaEvent,
  M2StreamParser,
  M2StreamParserOptions,
  M2ToolCallArgumentCompleteEvent,
  M2ToolCallArgumentDeltaEvent,
  M2ToolCallArgumentEvent,
  M2ToolCallCompletedEvent,
  M2ToolCallStartedEvent,
} from "./parser-events";
export { M2_PARSE_ERROR_CODES } from "./parser-events";
export type { M2ParsedError, M2ParsedOutput, M2ParsedToolCall } from "./parser-output";
export { joinM2Events, parseM2Output, summarizeM2Events } from "./parser-output";
export { createM2StreamParser } from "./parser-stream";
export { convertParamValue } from "./parser-values";
