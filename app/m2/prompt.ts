import { AppError } from "../contract/errors";
import { toJson } from "./tojson";
import { toolCallArguments } from "./tool-arguments";
import { field, isMapping, isTruthy, printValue } from "./template-values";
import type { ChatMessage, PromptRequest, ToolCall, ToolDefinition } from "./types";

/**
 * MiniMax-M2's chat template (resources/minimax-m2.jinja) in TypeScript, byte-identical
 * to transformers rendering it with Python's Jinja2 (prompt.test.ts checks a corpus).
 * Beyond the template: string tool-call arguments are parsed, and request-level
 * current_date/current_location are set on the system message.
 */

/** Where the M2-protocol templates of later models differ from M2's. */
export interface M2TemplateVariant {
  /** The default `model_identity`: the system text when there is no system content. */
  defaultIdentity: string;
  /** What `visible_text` prints for null content: M2's template prints Python's `None`. */
  noneText: string;
}

/** MiniMax-M2's own template. */
export const M2_TEMPLATE: M2TemplateVariant = { defaultIdentity: "You are a helpful assistant.", noneText: "None" };

const HEADER = "]~b]";
const END = "[e~[\n";
const TOOLCALL_BEGIN = "<minimax:tool_call>";
const TOOLCALL_END = "</minimax:tool_call>";

const TOOLS_INTRO =
  "\n\n# Tools\nYou may call one or more tools to assist with the user query.\n" +
  "Here are the tools available in JSONSchema format:\n\n<tools>\n";
const TOOLS_OUTRO =
  "</tools>\n\nWhen making tool calls, use XML format to invoke tools and pass parameters:\n" +
  `\n${TOOLCALL_BEGIN}\n<invoke name="tool-name-1">\n` +
  '<parameter name="param-key-1">param-value-1</parameter>\n' +
  '<parameter name="param-key-2">param-value-2</parameter>\n' +
  `...\n</invoke>\n${TOOLCALL_END}`;

type SystemMessage = Extract<ChatMessage, { role: "system" }>;
type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;

export function renderM2Prompt(request: PromptRequest, variant: M2TemplateVariant = M2_TEMPLATE): string {
  const messages = withSystemFields(request);
  const first = messages[0];
  const system = first?.role === "system" ? first : undefined;
  const conversation = system ? messages.slice(1) : messages;
  // Where conversation[0] sits in request.messages, for error details.
  const offset = request.messages[0]?.role === "system" ? 1 : 0;

  const text = (content: unknown) => visibleText(content, variant.noneText);
  let out = `]~!b[${HEADER}system\n${systemText(system, request.model_identity ?? variant.defaultIdentity, text)}`;
  if (request.tools && request.tools.length > 0) out += toolsSection(request.tools);
  out += END;
  out += renderConversation(conversation, offset, text);
  if (request.add_generation_prompt ?? true) out += `${HEADER}ai\n<think>\n`;
  return out;
}

/** Request-level date/location win over the system message's own; with no system message one is made. */
function withSystemFields(request: PromptRequest): ChatMessage[] {
  const fields: Pick<SystemMessage, "current_date" | "current_location"> = {};
  if (request.current_date !== undefined) fields.current_date = request.current_date;
  if (request.current_location !== undefined) fields.current_location = request.current_location;
  if (Object.keys(fields).length === 0) return request.messages;
  const [first, ...rest] = request.messages;
  if (first?.role === "system") return [{ ...first, ...fields }, ...rest];
  // No content, so the template falls back to the default identity.
  return [{ role: "system", content: null, ...fields }, ...request.messages];
}

type VisibleText = (content: unknown) => string;

function systemText(system: SystemMessage | undefined, modelIdentity: string, text: VisibleText): string {
  let out = system && isTruthy(system.content) ? text(system.content) : printValue(modelIdentity);
  if (system && isTruthy(system.current_date)) out += `\nCurrent date: ${system.current_date}`;
  if (system && isTruthy(system.current_location)) out += `\nCurrent location: ${system.current_location}`;
  return out;
}

function toolsSection(tools: readonly ToolDefinition[]): string {
  const listed = tools.map((tool) => `<tool>${toJson(tool.function)}</tool>\n`).join("");
  return TOOLS_INTRO + listed + TOOLS_OUTRO;
}

function renderConversation(conversation: readonly ChatMessage[], offset: number, text: VisibleText): string {
  // Reasoning survives only on assistant turns after the last user message.
  const lastUser = conversation.findLastIndex((m) => m.role === "user");
  // Not reset by user turns: the template only tracks the latest assistant turn.
  let afterToolCall = false;
  let out = "";
  conversation.forEach((message, i) => {
    switch (message.role) {
      case "assistant":
        out += assistantTurn(message, i > lastUser, offset + i, text);
        afterToolCall = isTruthy(message.tool_calls);
        break;
      case "tool":
        if (!afterToolCall) {
          throw new AppError(
            "bad_request",
            "Message has tool role, but there was no previous assistant message with a tool call!",
            { messageIndex: offset + i, role: "tool" },
          );
        }
        // Consecutive tool messages share one header and one end marker.
        if (conversation[i - 1]?.role !== "tool") out += `${HEADER}tool`;
        out += toolResponses(message.content, offset + i);
        if (conversation[i + 1]?.role !== "tool") out += END;
        break;
      case "user":
        out += `${HEADER}user\n${text(message.content)}${END}`;
        break;
      // A system message after the first one is not rendered by the template.
    }
  });
  return out;
}

function assistantTurn(message: AssistantMessage, keepReasoning: boolean, index: number, text: VisibleText): string {
  let content = text(message.content);
  let reasoning = "";
  if (typeof message.reasoning_content === "string") {
    reasoning = message.reasoning_content;
  } else if (content.includes("</think>")) {
    ({ reasoning, content } = splitThink(content));
  }
  let out = `${HEADER}ai\n`;
  if (reasoning && keepReasoning) out += `<think>\n${reasoning}\n</think>\n\n`;
  out += content;
  if (message.tool_calls && message.tool_calls.length > 0) out += toolCallsBlock(message.tool_calls, index);
  return out + END;
}

/** The template's `.strip('\n')`: newlines only (@huggingface/jinja would trim all whitespace). */
const strip = (text: string): string => text.replace(/^\n+|\n+$/g, "");

function splitThink(text: string): { reasoning: string; content: string } {
  const parts = text.split("</think>");
  const beforeEnd = strip(parts[0] ?? "");
  return {
    reasoning: strip(beforeEnd.split("<think>").at(-1) ?? ""),
    content: strip(parts.at(-1) ?? ""),
  };
}

function toolCallsBlock(calls: readonly ToolCall[], messageIndex: number): string {
  let out = `\n${TOOLCALL_BEGIN}\n`;
  calls.forEach((call, callIndex) => {
    const { name } = call.function;
    const args = toolCallArguments(call.function.arguments, { messageIndex, callIndex, name });
    out += `<invoke name="${name}">\n`;
    for (const [key, value] of Object.entries(args)) {
      // Strings go in raw (no escaping, even of "</parameter>"); everything else as JSON.
      out += `<parameter name="${key}">${typeof value === "string" ? value : toJson(value)}</parameter>\n`;
    }
    out += "</invoke>\n";
  });
  return out + TOOLCALL_END;
}

function toolResponses(content: unknown, messageIndex: number): string {
  if (typeof content === "string") return `\n<response>${content}</response>`;
  if (!Array.isArray(content)) {
    // The template would iterate it (and fail on null); no client means that.
    throw new AppError("bad_request", "Tool message content must be a string or a list", {
      messageIndex,
      role: "tool",
    });
  }
  // Note the list form puts a newline before </response>; the string form does not.
  return content.map((item: unknown) => `\n<response>${toolResultText(item)}\n</response>`).join("");
}

/** `tr.output if defined, else tr.text of a text part, else tr itself`. */
function toolResultText(item: unknown): string {
  const output = field(item, "output");
  if (output !== undefined) return printValue(output);
  const text = field(item, "text");
  if (field(item, "type") === "text" && text !== undefined) return printValue(text);
  return printValue(item);
}

/** The template's `visible_text`: strings as is, text parts and strings of a list joined. */
function visibleText(content: unknown, noneText: string): string {
  if (typeof content === "string") return content;
  if (content === null) return noneText;
  if (Array.isArray(content)) {
    return content
      .map((item: unknown) => {
        if (isMapping(item) && field(item, "type") === "text") return printValue(field(item, "text"));
        return typeof item === "string" ? item : "";
      })
      .join("");
  }
  return printValue(content);
}
