import type { GenerationEvent, GenerationStats } from "../../app/contract";
import { Answer, apiId, stoppedFor } from "./answer";
import type { StreamMapper } from "./respond";
import type { SseWriter } from "./sse";

type DoneEvent = Extract<GenerationEvent, { type: "done" }>;

export function responsesUsage(stats: GenerationStats | undefined) {
  const input = stats?.promptTokens ?? 0;
  const output = stats?.generatedTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: stats?.reusedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: stats?.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

export interface ResponseMeta {
  id: string;
  model: string;
  createdAt: number;
}

export function responseMeta(model: string): ResponseMeta {
  return { id: apiId("resp_"), model, createdAt: Math.floor(Date.now() / 1000) };
}

type OutputItem = Record<string, unknown> & { type: string; id: string };

/** Reasoning goes out as text in `content` and in `summary`: clients that show summaries see it, and send it back. */
function reasoningItem(id: string, text: string): OutputItem {
  return { type: "reasoning", id, summary: [{ type: "summary_text", text }], content: [{ type: "reasoning_text", text }] };
}

function messageItem(id: string, text: string, status: string): OutputItem {
  return { type: "message", id, status, role: "assistant", content: [{ type: "output_text", text, annotations: [] }] };
}

function responseObject(meta: ResponseMeta, status: string, output: unknown[], stats: GenerationStats | undefined, done?: DoneEvent, answer?: Answer) {
  const incomplete = done && answer && stoppedFor(done, answer) === "length";
  return {
    id: meta.id,
    object: "response",
    created_at: meta.createdAt,
    status: incomplete ? "incomplete" : status,
    ...(incomplete ? { incomplete_details: { reason: "max_output_tokens" } } : { incomplete_details: null }),
    error: null,
    model: meta.model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: stats ? responsesUsage(stats) : null,
  };
}

/** The non-streaming `response` object. */
export function responseBody(meta: ResponseMeta, answer: Answer, done: DoneEvent): unknown {
  const output: OutputItem[] = [];
  if (answer.reasoning) output.push(reasoningItem(apiId("rs_"), answer.reasoning));
  if (answer.content.trim()) output.push(messageItem(apiId("msg_"), answer.content, "completed"));
  for (const call of answer.calls()) {
    output.push({ type: "function_call", id: apiId("fc_"), call_id: call.id, name: call.name, arguments: JSON.stringify(call.arguments), status: "completed" });
  }
  return responseObject(meta, "completed", output, answer.stats, done, answer);
}

/** The Responses event sequence: response.created … output items with their deltas … response.completed. */
export class ResponseStream implements StreamMapper {
  private readonly answer = new Answer("call_");
  private readonly output: OutputItem[] = [];
  private open: { kind: "reasoning" | "message" | "function_call"; item: OutputItem; text: string } | undefined;
  private sequence = 0;

  constructor(
    private readonly sse: () => SseWriter,
    private readonly meta: ResponseMeta,
  ) {}

  private emit(type: string, payload: Record<string, unknown>): void {
    this.sse().event(type, { type, sequence_number: this.sequence++, ...payload });
  }

  start(): void {
    const response = responseObject(this.meta, "in_progress", [], undefined);
    this.emit("response.created", { response });
    this.emit("response.in_progress", { response });
  }

  private add(kind: "reasoning" | "message" | "function_call", item: OutputItem): void {
    this.close();
    this.open = { kind, item, text: "" };
    this.output.push(item);
    this.emit("response.output_item.added", { output_index: this.output.length - 1, item });
    if (kind === "message") this.emit("response.content_part.added", { item_id: item.id, output_index: this.output.length - 1, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
    if (kind === "reasoning") this.emit("response.reasoning_summary_part.added", { item_id: item.id, output_index: this.output.length - 1, summary_index: 0, part: { type: "summary_text", text: "" } });
  }

  private close(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const index = this.output.length - 1;
    const base = { item_id: open.item.id, output_index: index };
    let item: OutputItem;
    if (open.kind === "reasoning") {
      this.emit("response.reasoning_summary_text.done", { ...base, summary_index: 0, text: open.text });
      this.emit("response.reasoning_summary_part.done", { ...base, summary_index: 0, part: { type: "summary_text", text: open.text } });
      item = reasoningItem(open.item.id, open.text);
    } else if (open.kind === "message") {
      this.emit("response.output_text.done", { ...base, content_index: 0, text: open.text });
      this.emit("response.content_part.done", { ...base, content_index: 0, part: { type: "output_text", text: open.text, annotations: [] } });
      item = messageItem(open.item.id, open.text, "completed");
    } else {
      this.emit("response.function_call_arguments.done", { ...base, arguments: open.text });
      item = { ...open.item, arguments: open.text, status: "completed" };
    }
    this.output[index] = item;
    this.emit("response.output_item.done", { output_index: index, item });
  }

  onEvent(event: GenerationEvent): void {
    const call = this.answer.apply(event);
    if (event.type === "reasoning_delta") {
      if (this.open?.kind !== "reasoning") this.add("reasoning", { type: "reasoning", id: apiId("rs_"), summary: [] });
      this.open!.text += event.text;
      this.emit("response.reasoning_summary_text.delta", { item_id: this.open!.item.id, output_index: this.output.length - 1, summary_index: 0, delta: event.text });
    } else if (event.type === "content_delta") {
      if (this.open?.kind !== "message" && !event.text.trim()) return;
      if (this.open?.kind !== "message") this.add("message", messageItem(apiId("msg_"), "", "in_progress"));
      this.open!.text += event.text;
      this.emit("response.output_text.delta", { item_id: this.open!.item.id, output_index: this.output.length - 1, content_index: 0, delta: event.text });
    } else if (call) {
      // Whole calls only, at their end: a call the parser flags is never sent (see Answer).
      this.add("function_call", { type: "function_call", id: apiId("fc_"), call_id: call.id, name: call.name, arguments: "", status: "in_progress" });
      const args = JSON.stringify(call.arguments);
      this.open!.text = args;
      this.emit("response.function_call_arguments.delta", { item_id: this.open!.item.id, output_index: this.output.length - 1, delta: args });
      this.close();
    }
  }

  finish(done: DoneEvent): void {
    this.close();
    const response = responseObject(this.meta, "completed", this.output, this.answer.stats, done, this.answer);
    this.emit(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  }

  fail(error: { code: string; message: string }): void {
    this.close();
    this.emit("response.failed", { response: { ...responseObject(this.meta, "failed", this.output, this.answer.stats), error } });
  }
}
