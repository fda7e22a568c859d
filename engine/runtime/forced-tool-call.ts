import type { ModelProtocol } from "../../app/family";
import type { GenerateOptions, GenerationResult, GenerationStats, ModelSession } from "../llama";

type Opener = NonNullable<ModelProtocol["toolCallOpener"]>;

/** Two runs as one generation: the first one's prompt and time to first token, both runs' output and time. */
function mergedStats(first: GenerationStats, second: GenerationStats): GenerationStats {
  const generatedTokens = first.generatedTokens + second.generatedTokens;
  const decodeMs = first.totalMs - first.ttftMs + second.totalMs;
  return {
    ...first,
    generatedTokens,
    decodeTokensPerSecond: decodeMs > 0 ? (generatedTokens * 1000) / decodeMs : 0,
    totalMs: first.totalMs + second.totalMs,
  };
}

/**
 * A generation that must call a tool (GenerationRequest.toolChoice). The model thinks as usual; the run pauses
 * where its reasoning ends, the protocol's call opening follows (through `onDelta`, so the parser reads it as the
 * model's own text), and the model goes on from the prompt plus all of that. The second run reuses the first
 * one's KV cache, so only the opening is evaluated. A first run that ends any other way (a stop string of the
 * request, the token limit, an end without reasoning's close) is the result as it is.
 */
export async function generateToolCall(session: ModelSession, prompt: string, options: GenerateOptions, opener: Opener, name: string | undefined): Promise<GenerationResult> {
  const { onDelta } = options;
  const stop = [...(options.stop ?? []), opener.reasoningEnd];
  const first = await session.generate(prompt, { ...options, stop });
  if (first.finishReason !== "stop" || first.stopString !== opener.reasoningEnd) return first;
  const forced = opener.reasoningEnd + opener.opener(name);
  onDelta?.(forced, first.stats.generatedTokens);
  const left = options.maxTokens === undefined ? undefined : options.maxTokens - first.stats.generatedTokens;
  const second = await session.generate(prompt + first.text + forced, {
    ...options,
    ...(left !== undefined ? { maxTokens: Math.max(1, left) } : {}),
    onDelta: (text, generated) => onDelta?.(text, first.stats.generatedTokens + generated),
  });
  return { ...second, text: first.text + forced + second.text, stats: mergedStats(first.stats, second.stats) };
}
