import { AppError } from "../contract/errors";
import { toJson } from "../m2/tojson";
import { toolCallArguments } from "../m2/tool-arguments";
import { field, isMapping, isTruthy, printValue } from "../m2/template-values";
import type { ToolCall, ToolDefinition } from "../m2/types";
import { M3_THINK_CLOSE, M3_THINK_OPEN, m3GenerationPrefill, type M3ThinkingMode } from "./thinking";
import type { M3ChatMessage, M3PromptRequest } from "./types";

/**
 * MiniMax-M3's chat template (resources/minimax-m3.jinja, llama.cpp's MiniMax-M3.jinja) in
 * TypeScript, byte-identical to Python Jinja2 3.1.6 rendering it with transformers' settings
 * (prompt.test.ts checks a corpus through scripts/jinja-reference.py).
 * Beyond the template: string tool-call arguments are parsed, as a server does before templating.
 */

/** The namespace token: every tool tag in M3's protocol starts with it. */
export const M3_NS = "]<]minimax[>[";
export const M3_TOOL_CALL_OPEN = `${M3_NS}<tool_call>`;
export const M3_TOOL_CALL_CLOSE = `${M3_NS}</tool_call>`;
const HEADER = "]~b]";
const END = "[e~[\n";
const IMAGE_TOKEN = "]<]image[>[";
const VIDEO_TOKEN = "]<]video[>[";

const DEFAULT_SYSTEM =
  "Your model version is MiniMax-M3, developed by MiniMax. Knowledge cutoff: January 2026. Founded in early 2022, " +
  "MiniMax is a global AI foundation model company committed to advancing the frontiers of AI towards AGI.";
const DEFAULT_IDENTITY = "You are a helpful assistant.";
const THINKING_INTRO =
  "\n\n<thinking_instructions>\nYou have a thinking capability that allows you to reason step by step before " +
  `responding. When thinking is enabled, wrap your reasoning in ${M3_THINK_OPEN}${M3_THINK_CLOSE} tags before your ` +
  `response. When thinking is disabled, begin your response directly after the ${M3_THINK_CLOSE} prefix. When ` +
  "thinking is adaptive, decide on your own whether to think for the current turn.\n";
const ADAPTIVE_LINE =
  "Current thinking mode: adaptive. You are encouraged to think for complex decision-making, multi-step " +
  "reasoning, or when analyzing function/tool results.\n";
const THINKING_LINES: Readonly<Record<M3ThinkingMode, string>> = {
  enabled:
    "Current thinking mode: enabled. You MUST think step by step before every response, including after " +
    "receiving function/tool results.\n",
  disabled: "Current thinking mode: disabled. Do not output any thinking process.\n",
  adaptive: ADAPTIVE_LINE,
};
const TOOLS_INTRO =
  "\n\n# Tools\nYou may call one or more tools to assist with the user query.\n" +
  "Here are the tools available in JSONSchema format:\n\n<tools>\n";
const TOOLS_OUTRO =
  `</tools>\n\nTo call tools, wrap all invocations in a single ${M3_TOOL_CALL_OPEN}${M3_TOOL_CALL_CLOSE} block. ` +
  "Parameter values containing nested objects or arrays are recursively expanded into XML elements. Example:\n\n" +
  `${M3_TOOL_CALL_OPEN}\n` +
  `${M3_NS}<invoke name="tool-name-1">${M3_NS}<param-1>value-1${M3_NS}</param-1>${M3_NS}<param-2>${M3_NS}<item>` +
  `${M3_NS}<key-a>val-a${M3_NS}</key-a>${M3_NS}<key-b>val-b${M3_NS}</key-b>${M3_NS}</item>${M3_NS}</param-2>` +
  `${M3_NS}</invoke>\n${M3_NS}<invoke name="tool-name-2">${M3_NS}<param-1>value-1${M3_NS}</param-1>${M3_NS}</invoke>\n` +
  M3_TOOL_CALL_CLOSE;

type AssistantMessage = Extract<M3ChatMessage, { role: "assistant" }>;
type PromptMessage = Extract<M3ChatMessage, { role: "root" | "system" | "developer" }>;

export function renderM3Prompt(request: M3PromptRequest): string {
  const { root, developer, conversation, offset } = splitPrompts(request.messages);
  let out = `]~!b[${HEADER}system\n${promptText(root) ?? DEFAULT_SYSTEM}${thinkingInstructions(request.thinking_mode)}${END}`;
  out += `${HEADER}developer\n${promptText(developer) ?? request.model_identity ?? DEFAULT_IDENTITY}`;
  if (request.tools && request.tools.length > 0) out += toolsSection(request.tools);
  out += END;
  out += renderConversation(conversation, offset);
  if (request.add_generation_prompt ?? true) out += `${HEADER}ai\n${m3GenerationPrefill(request.thinking_mode)}`;
  return out;
}

/** The template's role mapping: a leading root is the system prompt, the next system/developer the developer prompt. */
function splitPrompts(messages: readonly M3ChatMessage[]): {
  root: PromptMessage | undefined;
  developer: PromptMessage | undefined;
  conversation: readonly M3ChatMessage[];
  offset: number;
} {
  const isDeveloper = (m: M3ChatMessage | undefined): m is PromptMessage => m?.role === "system" || m?.role === "developer";
  const first = messages[0];
  const root = first?.role === "root" ? first : undefined;
  const next = messages[root ? 1 : 0];
  const developer = isDeveloper(next) ? next : undefined;
  const offset = (root ? 1 : 0) + (developer ? 1 : 0);
  return { root, developer, conversation: messages.slice(offset), offset };
}

/** The message's visible text, or undefined where the template falls back to its default. */
function promptText(message: PromptMessage | undefined): string | undefined {
  return message && isTruthy(message.content) ? visibleText(message.content) : undefined;
}

function thinkingInstructions(mode: M3ThinkingMode | undefined): string {
  return `${THINKING_INTRO}${mode === undefined ? ADAPTIVE_LINE : THINKING_LINES[mode]}</thinking_instructions>`;
}

function toolsSection(tools: readonly ToolDefinition[]): string {
  return TOOLS_INTRO + tools.map((tool) => `<tool>${toJson(tool.function)}</tool>\n`).join("") + TOOLS_OUTRO;
}

function renderConversation(conversation: readonly M3ChatMessage[], offset: number): string {
  // The name of the last call of the latest assistant turn; user turns do not reset it.
  let lastToolCall: string | null = null;
  let out = "";
  conversation.forEach((message, i) => {
    switch (message.role) {
      case "assistant":
        out += assistantTurn(message, offset + i);
        lastToolCall = message.tool_calls && message.tool_calls.length > 0 ? (message.tool_calls.at(-1)?.function.name ?? null) : null;
        break;
      case "tool":
        if (lastToolCall === null) {
          throw new AppError(
            "bad_request",
            "Message has tool role, but there was no previous assistant message with a tool call!",
            { messageIndex: offset + i, role: "tool" },
          );
        }
        // Consecutive tool messages share one header and one end marker.
        if (conversation[i - 1]?.role !== "tool") out += `${HEADER}tool`;
        out += `\n<response>${toolResultText(message.content, offset + i)}</response>`;
        if (conversation[i + 1]?.role !== "tool") out += END;
        break;
      case "user":
        out += `${HEADER}user\n${visibleText(message.content)}${END}`;
        break;
      // Later root/system/developer messages are not rendered by the template.
    }
  });
  return out;
}

/** Every assistant turn keeps its reasoning (the template renders thinking on all turns). */
function assistantTurn(message: AssistantMessage, index: number): string {
  let content = visibleText(message.content);
  let reasoning = "";
  if (typeof message.reasoning_content === "string") {
    reasoning = message.reasoning_content;
  } else if (content.includes(M3_THINK_CLOSE)) {
    const parts = content.split(M3_THINK_CLOSE);
    reasoning = stripNewlines(stripNewlines(parts[0] ?? "").split(M3_THINK_OPEN).at(-1) ?? "");
    content = stripNewlines(parts.at(-1) ?? "");
  }
  let out = `${HEADER}ai\n`;
  out += reasoning ? `${M3_THINK_OPEN}${reasoning}${M3_THINK_CLOSE}` : M3_THINK_CLOSE;
  out += content;
  if (message.tool_calls && message.tool_calls.length > 0) out += toolCallsBlock(message.tool_calls, index);
  return out + END;
}

/** Python's `.strip('\n')`: newlines only, both ends. */
function stripNewlines(text: string): string {
  return text.replace(/^\n+|\n+$/g, "");
}

function toolCallsBlock(calls: readonly ToolCall[], messageIndex: number): string {
  let out = `${M3_TOOL_CALL_OPEN}\n`;
  calls.forEach((call, callIndex) => {
    const { name } = call.function;
    const args = toolCallArguments(call.function.arguments, { messageIndex, callIndex, name });
    out += `${M3_NS}<invoke name="${name}">`;
    for (const [key, value] of Object.entries(args)) {
      if (value !== null && value !== undefined) out += `${M3_NS}<${key}>${toXml(value)}${M3_NS}</${key}>`;
    }
    out += `${M3_NS}</invoke>\n`;
  });
  return out + M3_TOOL_CALL_CLOSE;
}

/**
 * The template's `to_xml` macro: mappings as named tags (None members skipped), lists as
 * `<item>` tags, booleans as JSON, other scalars as Python prints them. Strings go in raw:
 * no escaping, even of the namespace token. Depth is bounded by toolCallArguments.
 */
function toXml(value: unknown): string {
  if (isMapping(value)) {
    return Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([key, item]) => `${M3_NS}<${key}>${toXml(item)}${M3_NS}</${key}>`)
      .join("");
  }
  if (Array.isArray(value)) return value.map((item: unknown) => `${M3_NS}<item>${toXml(item)}${M3_NS}</item>`).join("");
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  return printValue(value);
}

/** A string as is; a list's items joined: media as tokens, `output`, a text part's text, else the item. */
function toolResultText(content: unknown, messageIndex: number): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    // The template would iterate it (and fail on null); no client means that.
    throw new AppError("bad_request", "Tool message content must be a string or a list", { messageIndex, role: "tool" });
  }
  return content
    .map((item: unknown) => {
      const type = field(item, "type");
      if (type === "image") return IMAGE_TOKEN;
      if (type === "video") return VIDEO_TOKEN;
      if (isMapping(item) && Object.hasOwn(item, "output")) return printValue(item["output"]);
      const text = field(item, "text");
      return printValue(type === "text" && text !== undefined ? text : item);
    })
    .join("");
}

/** The template's `visible_text`: strings as is; a list's text parts, media tokens and strings joined. */
function visibleText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((item: unknown) => {
        if (typeof item === "string") return item;
        const type = field(item, "type");
        if (type === "text") return printValue(field(item, "text"));
        if (type === "image") return IMAGE_TOKEN;
        if (type === "video") return VIDEO_TOKEN;
        return "";
      })
      .join("");
  }
  return content === null || content === undefined ? "" : printValue(content);
}
