import type { GenerationEvent, GenerationStats } from "../../app/contract";
import type { OpenAiUsage } from "../../app/contract/openai-api";
import { Answer, apiId, stoppedFor } from "./answer";
import { errorBody } from "./errors";
import type { StreamMapper } from "./respond";
import { generationError } from "./route-context";
import type { SseWriter } from "./sse";

type DoneEvent = Extract<GenerationEvent, { type: "done" }>;

export function openAiUsage(stats: GenerationStats | undefined): OpenAiUsage {
  const prompt = stats?.promptTokens ?? 0;
  const completion = stats?.generatedTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    // What the engine's KV cache already held: the tokens a resent conversation did not cost.
    prompt_tokens_details: { cached_tokens: stats?.reusedTokens ?? 0 },
    ...(stats?.reasoningTokens !== undefined ? { completion_tokens_details: { reasoning_tokens: stats.reasoningTokens } } : {}),
  };
}

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

export function completionMeta(model: string): CompletionMeta {
  return { id: apiId("chatcmpl-"), model, created: Math.floor(Date.now() / 1000) };
}

/** The non-streaming `chat.completion` object. */
export function chatCompletionBody(meta: CompletionMeta, answer: Answer, done: DoneEvent): unknown {
  const calls = answer.calls();
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: answer.content.length > 0 || calls.length === 0 ? answer.content : null,
          ...(answer.reasoning ? { reasoning_content: answer.reasoning } : {}),
          ...(calls.length > 0
            ? { tool_calls: calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: stoppedFor(done, answer),
      },
    ],
    usage: openAiUsage(answer.stats),
  };
}

/** `chat.completion.chunk` events: reasoning as `reasoning_content` deltas (never in content), tool calls with ids. */
export class ChatCompletionStream implements StreamMapper {
  private readonly answer = new Answer("call_");
  private calls = 0;

  constructor(
    private readonly sse: () => SseWriter,
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): void {
    this.sse().data({
      id: this.meta.id,
      object: "chat.completion.chunk",
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  }

  start(): void {
    this.chunk({ role: "assistant", content: "" });
  }

  onEvent(event: GenerationEvent): void {
    const call = this.answer.apply(event);
    if (event.type === "reasoning_delta") this.chunk({ reasoning_content: event.text });
    else if (event.type === "content_delta") this.chunk({ content: event.text });
    else if (call) {
      // Whole calls only, at their end: a call the parser flags is never sent (see Answer).
      this.chunk({ tool_calls: [{ index: this.calls++, id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } }] });
    }
  }

  finish(done: DoneEvent): void {
    this.chunk({}, stoppedFor(done, this.answer));
    if (this.includeUsage) {
      this.sse().data({
        id: this.meta.id,
        object: "chat.completion.chunk",
        created: this.meta.created,
        model: this.meta.model,
        choices: [],
        usage: openAiUsage(this.answer.stats),
      });
    }
    this.sse().done();
  }

  fail(error: { code: string; message: string }): void {
    this.sse().data(errorBody("openai", generationError(error)));
    this.sse().done();
  }
}
