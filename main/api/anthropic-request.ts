import { AppError, type GenerationRequest } from "../../app/contract";
import type { ChatMessage, ToolCall, ToolContent, ToolDefinition } from "../../app/m2/types";
import type { AnthropicBlock, AnthropicCountTokensRequest, AnthropicMessage, AnthropicMessagesRequest, AnthropicTool } from "../../app/contract/anthropic-api";
import { chosenTools, forcedToolChoice } from "./openai-request";
import { laterSystemTurnsAsUser } from "./system-turns";
import { anthropicThinking } from "./thinking-mode";

type TextPart = { type: "text"; text: string };

function refuse(where: string, block: { type: string }): never {
  throw new AppError("bad_request", `${where} is a ${block.type} block: the local model reads text only.`, { param: where });
}

type ResultPart = Exclude<AnthropicBlock["content"], string | undefined>[number];

/** The tool a `tool_reference` part names: Claude Code's ToolSearch answers with them to load deferred tools. */
function referencedTool(part: ResultPart): string | undefined {
  const name = part["tool_name"];
  return part.type === "tool_reference" && typeof name === "string" ? name : undefined;
}

function resultPart(part: ResultPart, where: string): TextPart {
  if (part.type === "text" && typeof part.text === "string") return { type: "text", text: part.text };
  const tool = referencedTool(part);
  // Its definition joins the prompt's tool list (toolDefinitions); the result says which tool that is.
  if (tool !== undefined) return { type: "text", text: `Tool loaded: ${tool}` };
  return refuse(where, part);
}

function toolResultContent(block: AnthropicBlock, where: string): ToolContent {
  const content = block.content ?? "";
  const parts: TextPart[] | string = typeof content === "string" ? content : content.map((part, index) => resultPart(part, `${where}.content[${index}]`));
  if (!block.is_error) return parts;
  // The template has no error flag: the model reads it in the result's text.
  const text = typeof parts === "string" ? parts : parts.map((p) => p.text).join("\n");
  return `Error: ${text}`;
}

/** A user turn: tool_result blocks become tool messages, text blocks the user's message, in their order. */
function userMessages(message: AnthropicMessage, where: string): ChatMessage[] {
  if (typeof message.content === "string") return [{ role: "user", content: message.content }];
  const out: ChatMessage[] = [];
  let text: TextPart[] = [];
  const flush = () => {
    if (text.length > 0) out.push({ role: "user", content: text });
    text = [];
  };
  message.content.forEach((block, index) => {
    const at = `${where}.content[${index}]`;
    if (block.type === "text") text.push({ type: "text", text: block.text ?? "" });
    else if (block.type === "tool_result") {
      flush();
      out.push({ role: "tool", content: toolResultContent(block, at), ...(block.tool_use_id !== undefined ? { tool_call_id: block.tool_use_id } : {}) });
    } else refuse(at, block);
  });
  flush();
  return out;
}

/** A system message inside `messages` (Claude Code's environment notes): text blocks only. */
function systemMessage(message: AnthropicMessage, where: string): ChatMessage {
  if (typeof message.content === "string") return { role: "system", content: message.content };
  return { role: "system", content: message.content.map((block, index) => (block.type === "text" ? { type: "text", text: block.text ?? "" } : refuse(`${where}.content[${index}]`, block))) };
}

/** An assistant turn: thinking blocks are its reasoning_content (M2 sees its own earlier reasoning), tool_use its calls. */
function assistantMessage(message: AnthropicMessage, where: string): ChatMessage {
  if (typeof message.content === "string") return { role: "assistant", content: message.content };
  let reasoning = "";
  let content = "";
  const calls: ToolCall[] = [];
  message.content.forEach((block, index) => {
    if (block.type === "thinking") reasoning += block.thinking ?? "";
    else if (block.type === "text") content += block.text ?? "";
    else if (block.type === "tool_use") {
      const input = block.input && typeof block.input === "object" && !Array.isArray(block.input) ? (block.input as Record<string, unknown>) : {};
      calls.push({ ...(block.id !== undefined ? { id: block.id } : {}), type: "function", function: { name: block.name ?? "", arguments: input } });
    } else if (block.type !== "redacted_thinking") refuse(`${where}.content[${index}]`, block);
  });
  return {
    role: "assistant",
    content,
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}

/** Every tool a tool_reference block in the conversation loaded. */
function loadedTools(messages: readonly AnthropicMessage[]): Set<string> {
  const names = new Set<string>();
  for (const message of messages) {
    if (typeof message.content === "string") continue;
    for (const block of message.content) {
      if (block.type !== "tool_result" || !Array.isArray(block.content)) continue;
      for (const part of block.content) {
        const name = referencedTool(part);
        if (name !== undefined) names.add(name);
      }
    }
  }
  return names;
}

/**
 * Client tools only: server tools (web search and the like) carry a type and no schema, and M2 cannot run them.
 * A `defer_loading` tool stays out of the prompt until a tool_reference loads it, as the Messages API defines it
 * (Claude Code sends a placeholder that way, and loads its other tools through ToolSearch).
 */
function toolDefinitions(tools: readonly AnthropicTool[], choice: AnthropicCountTokensRequest["tool_choice"], loaded: ReadonlySet<string>): ToolDefinition[] {
  const client = tools.filter((tool) => (tool["type"] === undefined || tool["type"] === "custom") && (tool["defer_loading"] !== true || loaded.has(tool.name)));
  const pick = choice?.type === "none" ? "none" : choice?.type === "tool" && choice.name ? { name: choice.name } : undefined;
  return chosenTools(client, pick).map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.input_schema !== undefined ? { parameters: tool.input_schema } : {}),
    },
  }));
}

/** The prompt part of a Messages request (also what count_tokens counts). */
export function anthropicPrompt(body: AnthropicCountTokensRequest): Pick<GenerationRequest, "messages" | "tools"> {
  const messages: ChatMessage[] = [];
  if (body.system !== undefined && body.system.length > 0) {
    messages.push({ role: "system", content: typeof body.system === "string" ? body.system : body.system.map((b) => ({ type: "text", text: b.text })) });
  }
  body.messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    if (message.role === "user") messages.push(...userMessages(message, where));
    else if (message.role === "system") messages.push(systemMessage(message, where));
    else messages.push(assistantMessage(message, where));
  });
  const tools = toolDefinitions(body.tools ?? [], body.tool_choice, loadedTools(body.messages));
  return { messages: laterSystemTurnsAsUser(messages), ...(tools.length > 0 ? { tools } : {}) };
}

/** `POST /v1/messages` → the engine's GenerationRequest. */
export function messagesToGeneration(body: AnthropicMessagesRequest): GenerationRequest {
  const stop = (body.stop_sequences ?? []).filter((s) => s.length > 0);
  const prompt = anthropicPrompt(body);
  const choice = body.tool_choice;
  const force = choice?.type === "any" ? "required" : choice?.type === "tool" && choice.name ? { name: choice.name } : undefined;
  return {
    ...prompt,
    ...forcedToolChoice(force, prompt.tools ?? []),
    ...anthropicThinking(body["thinking"]),
    sampling: {
      maxTokens: body.max_tokens,
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
      ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
      ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
      ...(stop.length > 0 ? { stop } : {}),
    },
  };
}
