/** MiniMax-M3's protocol: the public surface. */
export { createM3StreamParser, parseM3Output, type M3StreamParserOptions } from "./parser";
export { M3_NS, M3_TOOL_CALL_CLOSE, M3_TOOL_CALL_OPEN, renderM3Prompt } from "./prompt";
export { m3Protocol } from "./protocol";
export {
  M3_DEFAULT_THINKING_MODE,
  M3_THINK_CLOSE,
  M3_THINK_OPEN,
  M3_THINKING_MODES,
  m3GenerationPrefill,
  type M3ThinkingMode,
} from "./thinking";
export { M3ChatMessageSchema, M3PromptRequestSchema, type M3ChatMessage, type M3PromptRequest } from "./types";
