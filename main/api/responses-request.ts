import { AppError, type GenerationRequest } from "../../app/contract";
import type { ChatMessage, ToolCall, ToolDefinition } from "../../app/m2/types";
import type { ResponsesInputItem, ResponsesRequest, ResponsesTool } from "../../app/contract/openai-api";
import { chosenTools, forcedToolChoice } from "./openai-request";
import { laterSystemTurnsAsUser } from "./system-turns";
import { effortThinking } from "./thinking-mode";

type Part = { type: string; text?: string | undefined };
type AssistantTurn = Extract<ChatMessage, { role: "assistant" }>;

/** Text parts (`input_text`, `output_text`, `text`) only: M2 reads no images or files. */
function partsText(parts: string | readonly Part[], where: string): string {
  if (typeof parts === "string") return parts;
  return parts
    .map((part, index) => {
      if (typeof part.text !== "string" || !/^(input_text|output_text|text)$/.test(part.type)) {
        throw new AppError("bad_request", `${where}.content[${index}] is a ${part.type} part: the local model reads text only.`, { param: `${where}.content[${index}]` });
      }
      return part.text;
    })
    .join("");
}

/** Reasoning, assistant text and function calls that follow each other are one assistant turn, as M2 produced it. */
function inputMessages(items: readonly ResponsesInputItem[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let turn: AssistantTurn | undefined;
  const calls = (t: AssistantTurn): ToolCall[] => (t.tool_calls ??= []);
  const assistant = (): AssistantTurn => {
    if (!turn) {
      turn = { role: "assistant", content: "" };
      out.push(turn);
    }
    return turn;
  };
  items.forEach((item, index) => {
    const where = `input[${index}]`;
    if (item.type === "reasoning") {
      // A second reasoning item after text or calls starts the next turn.
      if (turn && (turn.content || turn.tool_calls?.length)) turn = undefined;
      const parts = item.content?.length ? item.content : (item.summary ?? []);
      const t = assistant();
      t.reasoning_content = (t.reasoning_content ?? "") + parts.map((p) => p.text ?? "").join("");
    } else if (item.type === "function_call") {
      calls(assistant()).push({ id: item.call_id, type: "function", function: { name: item.name, arguments: item.arguments } });
    } else if (item.type === "function_call_output") {
      turn = undefined;
      out.push({ role: "tool", content: partsText(item.output, where), tool_call_id: item.call_id });
    } else if (item.role === "assistant") {
      const t = turn?.tool_calls?.length ? ((turn = undefined), assistant()) : assistant();
      t.content = `${typeof t.content === "string" ? t.content : ""}${partsText(item.content, where)}`;
    } else {
      turn = undefined;
      const role = item.role === "user" ? "user" : "system";
      out.push({ role, content: partsText(item.content, where) });
    }
  });
  return out;
}

/**
 * `instructions` and the developer/system items before the first turn are one system prompt: the template renders
 * only the first system message, and Codex sends its instructions in both places. A later one is a user turn.
 */
function withInstructions(instructions: string | undefined, messages: ChatMessage[]): ChatMessage[] {
  const leading = messages.findIndex((m) => m.role !== "system");
  const split = leading < 0 ? messages.length : leading;
  const texts = [instructions ?? "", ...messages.slice(0, split).map((m) => (typeof m.content === "string" ? m.content : ""))].filter((t) => t.length > 0);
  const rest = messages.slice(split);
  return laterSystemTurnsAsUser(texts.length > 0 ? [{ role: "system", content: texts.join("\n\n") }, ...rest] : rest);
}

/** Function tools only: Codex's built-in ones (web search and the like) are not M2's to run. */
function toolDefinitions(tools: readonly ResponsesTool[], choice: ResponsesRequest["tool_choice"]): ToolDefinition[] {
  const functions = tools.filter((t): t is ResponsesTool & { name: string } => t.type === "function" && typeof t.name === "string");
  const pick = choice === "none" ? "none" : typeof choice === "object" && choice?.name ? { name: choice.name } : undefined;
  return chosenTools(functions, pick).map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      ...(typeof tool.description === "string" ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
    },
  }));
}

/** `POST /v1/responses` → the engine's GenerationRequest. */
export function responsesToGeneration(body: ResponsesRequest): GenerationRequest {
  if (body.previous_response_id) {
    throw new AppError("bad_request", "previous_response_id is not supported: this server keeps no responses. Send the whole conversation as input (store: false).", { param: "previous_response_id" });
  }
  const input = typeof body.input === "string" ? [{ role: "user" as const, content: body.input }] : body.input;
  const messages = withInstructions(body.instructions ?? undefined, inputMessages(input));
  const tools = toolDefinitions(body.tools ?? [], body.tool_choice);
  const choice = body.tool_choice;
  const force = choice === "required" ? "required" : typeof choice === "object" && choice?.type === "function" && choice.name ? { name: choice.name } : undefined;
  return {
    messages,
    ...(tools.length > 0 ? { tools } : {}),
    ...forcedToolChoice(force, tools),
    ...effortThinking((body["reasoning"] as { effort?: unknown } | null | undefined)?.effort, "reasoning.effort"),
    sampling: {
      ...(body.temperature != null ? { temperature: body.temperature } : {}),
      ...(body.top_p != null ? { topP: body.top_p } : {}),
      ...(body.max_output_tokens != null ? { maxTokens: body.max_output_tokens } : {}),
    },
  };
}
