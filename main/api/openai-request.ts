import { AppError, type GenerationRequest } from "../../app/contract";
import type { ChatMessage, MessageContent, ToolContent, ToolDefinition } from "../../app/m2/types";
import type { ChatCompletionRequest, OpenAiMessage, OpenAiTool, OpenAiToolChoice } from "../../app/contract/openai-api";
import { effortThinking } from "./thinking-mode";

type Parts = Exclude<OpenAiMessage["content"], string | null | undefined>;

/** Text parts only: M2 reads no images or audio, and says which part it could not take. */
function textParts(parts: Parts, where: string): Array<{ type: "text"; text: string }> {
  return parts.map((part, index) => {
    if (part.type !== "text" || typeof part.text !== "string") {
      throw new AppError("bad_request", `${where}.content[${index}] is a ${part.type} part: the local model reads text only.`, { param: `${where}.content[${index}]` });
    }
    return { type: "text", text: part.text };
  });
}

function messageContent(content: OpenAiMessage["content"], where: string): MessageContent {
  if (content === undefined || content === null || typeof content === "string") return content ?? null;
  return textParts(content, where);
}

function toolContent(content: OpenAiMessage["content"], where: string): ToolContent {
  if (content === undefined || content === null) return "";
  return typeof content === "string" ? content : textParts(content, where);
}

function toChatMessage(message: OpenAiMessage, index: number): ChatMessage {
  const where = `messages[${index}]`;
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: messageContent(message.content, where) };
    case "user":
      return { role: "user", content: messageContent(message.content, where) };
    case "tool":
      return {
        role: "tool",
        content: toolContent(message.content, where),
        ...(message.tool_call_id !== undefined ? { tool_call_id: message.tool_call_id } : {}),
        ...(message.name !== undefined ? { name: message.name } : {}),
      };
    case "assistant":
      return {
        role: "assistant",
        // The SDKs send a tool-call-only answer back with content null, which M2's template prints as "None" (a
        // string the model never wrote, and a KV-cache miss at that spot); llama-server reads it as "", as here.
        content: messageContent(message.content, where) ?? "",
        ...(message.reasoning_content ? { reasoning_content: message.reasoning_content } : {}),
        ...(message.tool_calls?.length
          ? {
              tool_calls: message.tool_calls.map((call) => ({
                ...(call.id !== undefined ? { id: call.id } : {}),
                type: "function" as const,
                function: { name: call.function.name, arguments: call.function.arguments ?? "" },
              })),
            }
          : {}),
      };
  }
}

/**
 * An API's "must call a tool" (tool_choice "required" / a named tool) as the engine's toolChoice, which makes the
 * model open a call after its reasoning; nothing when no tool is left to call.
 */
export function forcedToolChoice(force: GenerationRequest["toolChoice"], tools: readonly unknown[]): Pick<GenerationRequest, "toolChoice"> {
  return force !== undefined && tools.length > 0 ? { toolChoice: force } : {};
}

/** `none` lists no tools; a named function lists only it (and forcedToolChoice makes the model call it). */
export function chosenTools<T extends { name: string }>(tools: readonly T[], choice: "none" | { name: string } | undefined): T[] {
  if (choice === "none") return [];
  if (choice) return tools.filter((tool) => tool.name === choice.name);
  return [...tools];
}

function toolDefinitions(tools: readonly OpenAiTool[], choice: OpenAiToolChoice | null | undefined): ToolDefinition[] {
  const named = tools.map((tool) => ({ name: tool.function.name, tool }));
  const pick = choice === "none" ? "none" : typeof choice === "object" && choice ? { name: choice.function.name } : undefined;
  // The client's function object as sent, as transformers renders `tool.function | tojson`.
  return chosenTools(named, pick).map(({ tool }) => ({ type: "function", function: tool.function }));
}

/** `POST /v1/chat/completions` → the engine's GenerationRequest. */
export function chatCompletionToGeneration(body: ChatCompletionRequest): GenerationRequest {
  if (body.n != null && body.n !== 1) throw new AppError("bad_request", `n is ${body.n}: this server answers with one choice (n: 1).`, { param: "n" });
  const tools = toolDefinitions(body.tools ?? [], body.tool_choice);
  const stop = (typeof body.stop === "string" ? [body.stop] : (body.stop ?? [])).filter((s) => s.length > 0);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    messages: body.messages.map(toChatMessage),
    ...(tools.length > 0 ? { tools } : {}),
    ...forcedToolChoice(body.tool_choice === "required" ? "required" : typeof body.tool_choice === "object" && body.tool_choice ? { name: body.tool_choice.function.name } : undefined, tools),
    ...effortThinking(body["reasoning_effort"], "reasoning_effort"),
    sampling: {
      ...(body.temperature != null ? { temperature: body.temperature } : {}),
      ...(body.top_p != null ? { topP: body.top_p } : {}),
      ...(body.top_k != null ? { topK: body.top_k } : {}),
      ...(body.seed != null ? { seed: body.seed } : {}),
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(stop.length > 0 ? { stop } : {}),
    },
  };
}
