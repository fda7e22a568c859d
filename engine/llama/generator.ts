import { availableParallelism } from "node:os";
import { LlamaVocabularyType } from "node-llama-cpp";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import type { AppErrorData } from "../../app/contract/errors";
import { raceAbort } from "./abort";
import { ContextTextMap } from "./context-text-map";
import { GenerationClock } from "./generation-stats";
import type { GenerationStats } from "./generation-stats";
import { GenerationOutput } from "./generation-output";
import { planPrompt } from "./prompt-plan";
import type { PromptPlan } from "./prompt-plan";
import { resolveSampling } from "./sampling";
import { TokenPieces } from "./token-pieces";
import { yesNoProbabilities, type YesNo } from "./yes-no";
import type { ResolvedSampling, SamplingOptions } from "./sampling";

export type FinishReason = "stop" | "length" | "abort" | "error";

export type GenerateOptions = SamplingOptions & {
  /** Cap on sampled tokens; the context's free space caps it too. */
  maxTokens?: number;
  /** Generation ends before the first of these; the stop string is not part of the text. */
  stop?: readonly string[];
  /** Aborting returns at once with the text so far and finishReason "abort". */
  signal?: AbortSignal;
  /** Called with each new piece of text; the pieces join to the result's text. */
  /** `generatedTokens`: tokens sampled so far, this delta's included. */
  onDelta?: (text: string, generatedTokens: number) => void;
  /** Prompt evaluation of more than one batch: called before the first batch and after each one but the last (which samples the first token). */
  onPromptProgress?: (evaluated: number, total: number) => void;
};

export type GenerationResult = {
  text: string;
  finishReason: FinishReason;
  /** Set when a stop string ended generation (finishReason "stop" without it: an end-of-generation token). */
  stopString?: string;
  /** Set when finishReason is "error". */
  error?: AppErrorData;
  seed: number;
  stats: GenerationStats;
};

type Finish = { reason: FinishReason; stopString?: string; error?: AppError };

export type ScoreResult = YesNo & { promptTokens: number; reusedTokens: number };

/**
 * Asks for the next token and returns once llama.cpp is computing it (node-llama-cpp dispatches the
 * decode within the microtasks that follow `next()`; a macrotask runs after them). The caller then
 * handles the token it has (detokenizing, stop strings, the consumer's parsing and IPC) during the
 * decode instead of between decodes, where each token's handling used to add to the time per token.
 */
async function startNextStep(tokens: AsyncGenerator<Token, void, unknown>): Promise<{ step: Promise<IteratorResult<Token>> }> {
  const step = tokens.next();
  step.catch(() => undefined); // awaited by the caller later; must not count as unhandled meanwhile
  await new Promise<void>((resolve) => setImmediate(resolve));
  return { step };
}

/**
 * Runs generations on one context sequence, one at a time, keeping its KV cache between
 * requests: a new prompt only evaluates what differs from what the sequence already holds.
 */
export class SequenceGenerator {
  private readonly sequence: LlamaContextSequence;
  private readonly map = new ContextTextMap();
  private readonly pieces: TokenPieces;
  private mapValid = true;
  private readonly overlap: boolean;
  private current: Promise<unknown> | undefined;
  /** Native work an aborted request left running; the next request waits for it. */
  private leftover: Promise<unknown> = Promise.resolve();

  /**
   * `overlapTextWithDecode`: handle each token's text while llama.cpp decodes the next one (see
   * startNextStep). By default only when a core is left over beside the compute threads: with every
   * core computing, work on this thread mid-decode preempts one compute thread and stalls the rest.
   */
  constructor(sequence: LlamaContextSequence, options: { overlapTextWithDecode?: boolean } = {}) {
    this.sequence = sequence;
    this.pieces = new TokenPieces(sequence.model);
    this.overlap = options.overlapTextWithDecode ?? sequence.context.idealThreads < availableParallelism();
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Resolves when no request and no native work of this generator is running. */
  async settle(): Promise<void> {
    await this.current?.catch(() => undefined);
    await this.leftover;
  }

  generate(prompt: string, options: GenerateOptions = {}): Promise<GenerationResult> {
    return this.exclusive(() => this.run(prompt, options));
  }

  /**
   * The next-token YES/NO probabilities after `prompt` (whose end must be where the answer starts), on the same
   * sequence and KV cache as generations: the shared prefix is reused, and the text map then describes the prompt,
   * so the next generation reuses what it shares with it. Nothing is sampled.
   */
  score(prompt: string, signal?: AbortSignal): Promise<ScoreResult> {
    return this.exclusive(() => this.runScore(prompt, signal));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.current !== undefined) {
      return Promise.reject(new AppError("engine_busy", "A generation is already running on this model"));
    }
    const run = this.leftover.then(task);
    this.current = run;
    void run.then(
      () => (this.current = undefined),
      () => (this.current = undefined),
    );
    return run;
  }

  private async run(prompt: string, options: GenerateOptions): Promise<GenerationResult> {
    const clock = new GenerationClock();
    const { sequence } = this;
    const { model } = sequence;
    const { signal } = options;
    if (prompt.length === 0) throw new AppError("bad_request", "The prompt is empty");
    if (options.maxTokens !== undefined && !(options.maxTokens >= 1)) {
      throw new AppError("bad_request", "maxTokens must be at least 1", { maxTokens: options.maxTokens });
    }
    const sampling = resolveSampling(options);
    const contextSize = sequence.contextSize;
    const plan = this.plan(prompt);
    const maxTokens = Math.min(options.maxTokens ?? Infinity, contextSize - plan.tokens.length);
    const contextFree = model.vocabularyType === LlamaVocabularyType.bpe;
    const output = new GenerationOutput(model, plan.tokens, options.stop, options.onDelta, contextFree ? this.pieces : undefined);

    let finish: Finish;
    try {
      finish = signal?.aborted ? { reason: "abort" } : await this.evaluate(plan, sampling, maxTokens, output, clock, signal, options.onPromptProgress);
    } catch (error) {
      finish = { reason: "error", error: AppError.from(error) };
    }

    let text: string;
    try {
      text = output.finish();
    } catch (error) {
      finish = { reason: "error", error: AppError.from(error) };
      text = output.finish();
    }
    const stats = clock.stats({
      promptTokens: plan.tokens.length,
      reusedTokens: plan.reuse,
      generatedTokens: output.generatedTokens,
    });
    this.remember(plan, prompt, output);
    return {
      text,
      finishReason: finish.reason,
      ...(finish.stopString !== undefined ? { stopString: finish.stopString } : {}),
      ...(finish.error !== undefined ? { error: finish.error.toData() } : {}),
      seed: sampling.seed,
      stats,
    };
  }

  /** Which tokens `prompt` needs fed, given the cache; a prompt the context cannot hold is a typed overflow. */
  private plan(prompt: string): PromptPlan {
    const { sequence } = this;
    const contextSize = sequence.contextSize;
    if (this.mapValid) this.map.syncTo(sequence.contextTokens);
    else this.map.clear();
    // node-llama-cpp keeps one cell free, so a sequence holds at most contextSize - 1 tokens.
    const plan = planPrompt(sequence.model, this.map, sequence.contextTokens, prompt, contextSize - 1);
    if (plan.tokens.length >= contextSize) {
      throw new AppError("context_overflow", `The prompt is ${plan.tokens.length} tokens; the context holds ${contextSize}`, {
        promptTokens: plan.tokens.length,
        contextSize,
      });
    }
    return plan;
  }

  /**
   * Drops the cached tail that diverges from `plan`, then feeds its new tokens batch by batch (an abort is
   * noticed between batches) up to the last `keep`, which the caller evaluates itself to read logits.
   * false: aborted (the batch in flight is left to `leftover`).
   */
  private async prefill(plan: PromptPlan, keep: number, signal: AbortSignal | undefined, onPromptProgress?: GenerateOptions["onPromptProgress"]): Promise<Token[] | undefined> {
    const { sequence } = this;
    if (sequence.nextTokenIndex > plan.reuse) {
      await sequence.eraseContextTokenRanges([{ start: plan.reuse, end: sequence.nextTokenIndex }]);
    }
    const pending: Token[] = plan.tokens.slice(plan.reuse);
    const batchSize = Math.max(1, sequence.context.batchSize);
    const progress = pending.length > batchSize ? onPromptProgress : undefined;
    progress?.(plan.reuse, plan.tokens.length);
    while (pending.length > Math.max(batchSize, keep)) {
      const raced = await raceAbort(sequence.evaluateWithoutGeneratingNewTokens(pending.splice(0, Math.min(batchSize, pending.length - keep))), signal);
      if (raced.aborted) {
        this.leftover = raced.pending;
        return undefined;
      }
      progress?.(plan.tokens.length - pending.length, plan.tokens.length);
    }
    return pending;
  }

  private async runScore(prompt: string, signal: AbortSignal | undefined): Promise<ScoreResult> {
    if (prompt.length === 0) throw new AppError("bad_request", "The prompt is empty");
    if (signal?.aborted) throw new AppError("aborted", "Scoring was aborted");
    const plan = this.plan(prompt);
    const pending = await this.prefill(plan, 1, signal);
    if (!pending) throw new AppError("aborted", "Scoring was aborted");
    const last = pending.length - 1;
    // Greedy sampler config: the probabilities are the softmax of the raw logits over the whole vocabulary.
    const evaluated = this.sequence.controlledEvaluate(pending.map((token, index) => (index === last ? [token, { generateNext: { probabilities: true } }] : token)));
    const raced = await raceAbort(evaluated, signal);
    if (raced.aborted) {
      this.leftover = raced.pending;
      throw new AppError("aborted", "Scoring was aborted");
    }
    this.remember(plan, prompt);
    const probabilities = raced.value[last]?.next.probabilities;
    if (!probabilities) throw new AppError("internal", "The engine returned no next-token probabilities");
    return { ...yesNoProbabilities(probabilities, (token) => this.tokenText(token)), promptTokens: plan.tokens.length, reusedTokens: plan.reuse };
  }

  private readonly texts = new Map<Token, string>();

  private tokenText(token: Token): string {
    let text = this.texts.get(token);
    if (text === undefined) {
      text = this.sequence.model.detokenize([token], true);
      this.texts.set(token, text);
    }
    return text;
  }

  private async evaluate(
    plan: PromptPlan,
    sampling: ResolvedSampling,
    maxTokens: number,
    output: GenerationOutput,
    clock: GenerationClock,
    signal: AbortSignal | undefined,
    onPromptProgress: GenerateOptions["onPromptProgress"],
  ): Promise<Finish> {
    const { sequence } = this;
    clock.prefillStarted();
    const pending = await this.prefill(plan, 1, signal, onPromptProgress);
    if (!pending) return { reason: "abort" };

    const tokens = sequence.evaluate(pending, {
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      seed: sampling.seed,
    });
    // The step llama.cpp is computing: the next token is asked for before this one's text goes out.
    let inFlight: Promise<IteratorResult<Token>> | undefined = tokens.next();
    let handedOff = false;
    try {
      for (;;) {
        const raced = await raceAbort(inFlight ?? tokens.next(), signal);
        inFlight = undefined;
        if (raced.aborted) {
          // The step in flight finishes in the background; closing the iterator waits for it.
          handedOff = true;
          this.leftover = raced.pending.then(() => tokens.return()).catch(() => undefined);
          return { reason: "abort" };
        }
        clock.sampled();
        const step = raced.value;
        if (step.done === true) return { reason: "stop" };
        if (this.overlap && output.generatedTokens + 1 < maxTokens) inFlight = (await startNextStep(tokens)).step;
        const stopString = output.push(step.value);
        if (stopString !== undefined) return { reason: "stop", stopString };
        if (output.generatedTokens >= maxTokens) return { reason: "length" };
      }
    } finally {
      if (inFlight !== undefined) {
        // Stopped (a stop string, a failing consumer) with the next step computing: it finishes in the
        // background, and the next request waits for it. The token it evaluated stays in the cache.
        this.leftover = inFlight.then(() => tokens.return()).catch(() => undefined);
      } else if (!handedOff) await tokens.return();
    }
  }

  /** Record the prompt and sampled tokens with their text, for text-level reuse next time. */
  private remember(plan: PromptPlan, prompt: string, output?: GenerationOutput): void {
    this.mapValid = this.map.rebuild(this.pieces, plan.tokens, prompt);
    if (!this.mapValid || !output) return;
    for (const { token, text } of output.sampled) this.map.append(token, text, text?.includes("\uFFFD") ?? false);
  }
}
