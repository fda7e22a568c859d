import { z } from "zod";
import { ChatMessageSchema, ToolDefinitionSchema } from "../m2/types";
import type { M2ParseEvent } from "../m2/parser";
import { M2_PARSE_ERROR_CODES } from "../m2/parser-events";
import { THINKING_MODES } from "../family/protocol";

/** M2's official sampling: temperature 1.0, top_p 0.95, top_k 40. */
export const M2_SAMPLING_DEFAULTS = { temperature: 1.0, topP: 0.95, topK: 40 } as const;

export const SamplingSchema = z
  .object({
    temperature: z.number().min(0).max(5).default(M2_SAMPLING_DEFAULTS.temperature),
    topP: z.number().gt(0).max(1).default(M2_SAMPLING_DEFAULTS.topP),
    topK: z.number().int().min(0).max(1000).default(M2_SAMPLING_DEFAULTS.topK),
    maxTokens: z.number().int().min(1).max(1_048_576).optional(),
    stop: z.array(z.string().min(1).max(200)).max(16).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  })
  .strict();
export type Sampling = z.input<typeof SamplingSchema>;

/** A thinking mode (app/family/protocol.ts) as requests and chat settings carry it. */
export const ThinkingModeSchema = z.enum(THINKING_MODES);

/**
 * An answer cut short (stopped, or the engine died) that a generation continues: the reasoning and
 * content it got as far as. `reasoningClosed` says its thinking had ended (content had begun).
 */
export const PartialAnswerSchema = z
  .object({ reasoning: z.string().max(4_000_000), content: z.string().max(4_000_000), reasoningClosed: z.boolean() })
  .strict();
export type PartialAnswer = z.infer<typeof PartialAnswerSchema>;

export const GenerationRequestSchema = z
  .object({
    messages: z.array(ChatMessageSchema).min(1),
    /**
     * Continue this partial answer instead of starting one: the prompt is the conversation (`messages`, which
     * end before it) with the partial turn rendered open (no end of message, the thinking still open if it had
     * not ended), and the model's output continues the same answer.
     */
    continuation: PartialAnswerSchema.optional(),
    tools: z.array(ToolDefinitionSchema).optional(),
    currentDate: z.string().max(64).optional(),
    /**
     * Make the model call a tool (an API's tool_choice "required" / "any", or a named tool): once its reasoning
     * ends, the call's opening follows as if the model had written it. Only with `tools`, and only for a family
     * whose protocol says how (ModelProtocol.toolCallOpener); otherwise the tools are just offered.
     */
    toolChoice: z.union([z.literal("required"), z.object({ name: z.string().min(1) }).strict()]).optional(),
    /**
     * How hard the model thinks, for a family whose protocol offers modes (ModelProtocol.thinking):
     * rendered into the prompt and its prefill, and the parser starts to match. Omitted: the family's default.
     * Other families ignore it.
     */
    thinking: ThinkingModeSchema.optional(),
    sampling: SamplingSchema.prefault({}),
  })
  .strict();
export type GenerationRequest = z.input<typeof GenerationRequestSchema>;
export type ParsedGenerationRequest = z.output<typeof GenerationRequestSchema>;

/**
 * A YES/NO question for the loaded model, scored from its next-token probabilities instead of a parsed sentence
 * (the attempts' execution-free verifier): the conversation is rendered with the assistant turn opened and its
 * thinking closed, so the next token is the answer.
 */
export const ScoreRequestSchema = z
  .object({
    messages: z.array(ChatMessageSchema).min(1),
    thinking: ThinkingModeSchema.optional(),
  })
  .strict();
export type ScoreRequest = z.input<typeof ScoreRequestSchema>;
export type ParsedScoreRequest = z.output<typeof ScoreRequestSchema>;

export const ScoreResultSchema = z.object({
  /** pYes / (pYes + pNo); 0.5 when the model puts (almost) no mass on either. */
  score: z.number().min(0).max(1),
  /** Next-token probability summed over the tokens that spell YES (any case, surrounding whitespace allowed). */
  pYes: z.number().min(0).max(1),
  pNo: z.number().min(0).max(1),
  promptTokens: z.number().int().nonnegative(),
  reusedTokens: z.number().int().nonnegative(),
});
export type ScoreResult = z.infer<typeof ScoreResultSchema>;

export const GenerationStatsSchema = z.object({
  promptTokens: z.number().int(),
  reusedTokens: z.number().int(),
  evaluatedTokens: z.number().int(),
  generatedTokens: z.number().int(),
  ttftMs: z.number(),
  prefillTokensPerSecond: z.number(),
  decodeTokensPerSecond: z.number(),
  totalMs: z.number(),
  /** Tokens before the reasoning closed (M2 models only). */
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type GenerationStats = z.infer<typeof GenerationStatsSchema>;

/** Why the parser flagged a call or a stretch of output; a flagged call is never run. */
export const ParseErrorInfoSchema = z.object({ code: z.enum(M2_PARSE_ERROR_CODES), message: z.string() });
export type ParseErrorInfo = z.infer<typeof ParseErrorInfoSchema>;
const FinishReasonSchema = z.enum(["stop", "length", "tool_calls", "abort", "error"]);

/** The parser's events plus the engine's own (stats, and why a generation failed). */
export const GenerationEventSchema = z.discriminatedUnion("type", [
  /** `tokens`: the tokens this generation has produced so far, this text's included (the live "Thought · N tokens"). */
  z.object({ type: z.literal("reasoning_delta"), text: z.string(), tokens: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal("content_delta"), text: z.string() }),
  z.object({ type: z.literal("tool_call_started"), index: z.number().int(), name: z.string() }),
  z.object({
    type: z.literal("tool_call_argument"),
    index: z.number().int(),
    name: z.string(),
    parameter: z.string(),
    complete: z.boolean(),
    value_delta: z.string().optional(),
    raw: z.string().optional(),
    value: z.unknown().optional(),
  }),
  z.object({
    type: z.literal("tool_call_completed"),
    index: z.number().int(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    error: ParseErrorInfoSchema.optional(),
  }),
  z.object({ type: z.literal("parse_error"), code: z.enum(M2_PARSE_ERROR_CODES), message: z.string(), raw: z.string() }),
  z.object({ type: z.literal("stats"), stats: GenerationStatsSchema }),
  /** Prompt evaluation, after each batch of a prompt longer than one: tokens in the context so far (the reused prefix included) of the prompt's total. */
  z.object({ type: z.literal("prompt_progress"), evaluated: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  z.object({
    type: z.literal("done"),
    finish_reason: FinishReasonSchema,
    /** The stop string (sampling.stop) that ended the generation, when one did. */
    stop_sequence: z.string().optional(),
    /** Set when the engine died or failed: the partial output stays, marked interrupted. */
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  }),
]);
export type GenerationEvent = z.infer<typeof GenerationEventSchema>;

// The parser's events must stay expressible in the contract.
export type _ParserEventsFitContract = M2ParseEvent extends GenerationEvent ? true : never;
const _parserEventsFit: _ParserEventsFitContract = true;
void _parserEventsFit;
