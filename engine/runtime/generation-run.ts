import type { GenerationEvent, ParsedGenerationRequest } from "../../app/contract";
import { AppError } from "../../app/contract";
import type { ModelProtocol } from "../../app/family";
import type { M2EndReason } from "../../app/m2/parser";
import type { ModelSession } from "../llama";
import { generateToolCall } from "./forced-tool-call";

export interface GenerationRunOptions {
  session: ModelSession;
  prompt: string;
  request: ParsedGenerationRequest;
  /** The loaded model's family protocol parses its output; a model of no known family gives plain content. */
  protocol: ModelProtocol | null;
  signal: AbortSignal;
  emit: (event: GenerationEvent) => void;
  /** Adds what the engine knows to an error before it is reported (a context overflow's reload offer). */
  explainError?: (error: AppError) => Promise<AppError>;
}

/** One generation: model text deltas → the family's parse events → stats → exactly one `done`. */
export async function runGeneration(options: GenerationRunOptions): Promise<{ finishReason: string; stats: GenerationEvent & { type: "stats" } | null }> {
  const { session, prompt, request, protocol, signal, emit, explainError } = options;
  const renderOptions = request.thinking ? { thinking: request.thinking } : {};
  const parser = protocol?.createParser({ tools: request.tools, ...renderOptions });
  // A continued answer whose thinking had ended goes on in the answer: the parser reads the end of the thinking first (its events are the stored answer's, not new).
  if (parser && request.continuation?.reasoningClosed) parser.push(protocol?.answerPrimer(renderOptions) ?? "");
  // Counted at the delta that leaves the reasoning: that token (holding `</think>`) still belongs to it.
  let reasoningTokens: number | undefined = request.continuation?.reasoningClosed ? 0 : undefined;
  const forward = (text: string, generatedTokens: number) => {
    if (!parser) return emit({ type: "content_delta", text });
    for (const event of parser.push(text)) {
      if (reasoningTokens === undefined && event.type !== "reasoning_delta") reasoningTokens = generatedTokens;
      emit(event.type === "reasoning_delta" ? { ...event, tokens: generatedTokens } : event);
    }
  };
  const finish = (reason: M2EndReason, error?: AppError, stopSequence?: string) => {
    const events = parser ? parser.end(reason) : [{ type: "done" as const, finish_reason: reason }];
    for (const event of events) {
      if (event.type !== "done") emit(event);
      else emit({ ...event, ...(stopSequence !== undefined ? { stop_sequence: stopSequence } : {}), ...(error ? { error: error.toData() } : {}) });
    }
    return events.at(-1)?.type === "done" ? (events.at(-1) as { finish_reason: string }).finish_reason : reason;
  };

  let result;
  try {
    const generateOptions = {
      temperature: request.sampling.temperature,
      topP: request.sampling.topP,
      topK: request.sampling.topK,
      ...(request.sampling.maxTokens !== undefined ? { maxTokens: request.sampling.maxTokens } : {}),
      ...(request.sampling.stop ? { stop: request.sampling.stop } : {}),
      ...(request.sampling.seed !== undefined ? { seed: request.sampling.seed } : {}),
      signal,
      onDelta: forward,
      onPromptProgress: (evaluated: number, total: number) => emit({ type: "prompt_progress", evaluated, total }),
    };
    const opener = request.toolChoice && request.tools?.length ? protocol?.toolCallOpener : undefined;
    const name = typeof request.toolChoice === "object" ? request.toolChoice.name : undefined;
    result = opener ? await generateToolCall(session, prompt, generateOptions, opener, name) : await session.generate(prompt, generateOptions);
  } catch (error) {
    const appError = explainError ? await explainError(AppError.from(error)) : AppError.from(error);
    finish("error", appError);
    throw appError;
  }
  const stats = {
    type: "stats" as const,
    stats: parser ? { ...result.stats, reasoningTokens: reasoningTokens ?? result.stats.generatedTokens } : result.stats,
  };
  emit(stats);
  const error = result.error ? AppError.fromData(result.error) : undefined;
  return { finishReason: finish(result.finishReason, error, result.stopString), stats };
}
