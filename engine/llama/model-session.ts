import { InsufficientMemoryError } from "node-llama-cpp";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, LlamaModelOptions, Token } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { abortedError, throwIfAborted } from "./abort";
import { GenerationStream } from "./generation-stream";
import type { StreamOptions } from "./generation-stream";
import { SequenceGenerator } from "./generator";
import type { GenerateOptions, GenerationResult, ScoreResult } from "./generator";
import { LoadProgress } from "./load-progress";
import { snapshotReservations } from "./reservation-leak";

export type ContextSizeOption = "auto" | number | { min?: number; max?: number };

export type LoadModelOptions = {
  modelPath: string;
  /** Layers offloaded to the GPU. Default "auto": as many as fit next to the context. */
  gpuLayers?: LlamaModelOptions["gpuLayers"];
  /**
   * Default "auto": as large as memory allows, up to the model's trained context.
   * {min, max} bounds the automatic choice; a number is taken as is (and fails if it does not fit).
   */
  contextSize?: ContextSizeOption;
  /** Tensors kept in RAM by name pattern (expert offload); needs the patched engine (engine/offload/capability.ts). */
  tensorBufferOverrides?: LlamaModelOptions["tensorBufferOverrides"];
  /** Skip node-llama-cpp's memory estimate, which ignores tensor overrides; the load plan checked the fit. */
  ignoreMemorySafetyChecks?: boolean;
  /** Default: node-llama-cpp's "auto". */
  flashAttention?: boolean;
  /** Compute threads for the context. Default: node-llama-cpp's (the CPU's math cores). */
  threads?: number;
  batchSize?: number;
  /** Called with 0..1, never decreasing; 1 once the model and its context are ready. */
  onLoadProgress?: (progress: number) => void;
  /** Aborting rejects with AppError("aborted") and frees whatever was loaded so far. */
  signal?: AbortSignal;
};

export type ModelSessionInfo = {
  modelPath: string;
  architecture: string;
  /** The context size the model was trained with. */
  trainContextSize: number;
  /** The context size chosen for this session. */
  contextSize: number;
  batchSize: number;
  gpuLayers: number;
  threads: number;
  /** Model weights in memory, in bytes. */
  sizeBytes: number;
};

type Loaded = {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  generator: SequenceGenerator;
};

/**
 * A loaded model with one context and one sequence whose KV cache is kept between requests.
 * Runs one generation at a time; `unload` aborts a running one and frees the memory.
 */
export class ModelSession {
  readonly info: ModelSessionInfo;
  private loaded: Loaded | undefined;
  private readonly unloadController = new AbortController();
  private unloading: Promise<void> | undefined;

  private constructor(loaded: Loaded, info: ModelSessionInfo) {
    this.loaded = loaded;
    this.info = info;
  }

  static async load(llama: Llama, options: LoadModelOptions): Promise<ModelSession> {
    const { signal } = options;
    throwIfAborted(signal, "Model load");
    const progress = new LoadProgress(options.onLoadProgress);
    const contextSize = options.contextSize ?? "auto";

    const reservations = snapshotReservations(llama);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: options.modelPath,
        gpuLayers: resolveGpuLayers(options.gpuLayers, contextSize),
        ...(options.tensorBufferOverrides ? { tensorBufferOverrides: options.tensorBufferOverrides } : {}),
        ...(options.ignoreMemorySafetyChecks ? { ignoreMemorySafetyChecks: true } : {}),
        ...(signal ? { loadSignal: signal } : {}),
        onLoadProgress: (value) => progress.model(value),
      });
    } catch (error) {
      if (signal?.aborted) {
        reservations.restore();
        throw abortedError("Model load");
      }
      throw loadFailure(error, options.modelPath);
    }

    let context: LlamaContext;
    try {
      throwIfAborted(signal, "Model load");
      context = await model.createContext({
        contextSize,
        sequences: 1,
        ...(options.flashAttention !== undefined ? { flashAttention: options.flashAttention } : {}),
        ...(options.ignoreMemorySafetyChecks ? { ignoreMemorySafetyChecks: true } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(signal ? { createSignal: signal } : {}),
      });
    } catch (error) {
      await model.dispose();
      if (signal?.aborted) throw abortedError("Model load");
      throw contextFailure(error, contextSize);
    }

    const sequence = context.getSequence({ contextShift: { strategy: refuseContextShift } });
    const session = new ModelSession(
      { model, context, sequence, generator: new SequenceGenerator(sequence) },
      {
        modelPath: options.modelPath,
        architecture: String(model.architecture),
        trainContextSize: model.trainContextSize,
        contextSize: context.contextSize,
        batchSize: context.batchSize,
        gpuLayers: model.gpuLayers,
        threads: context.idealThreads,
        sizeBytes: model.size,
      },
    );
    progress.done();
    return session;
  }

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  get contextSize(): number {
    return this.info.contextSize;
  }

  /** Tokens held in the KV cache (prompt and generated), for diagnostics. */
  get contextTokens(): readonly Token[] {
    return this.require().sequence.contextTokens;
  }

  /** Tokenize like `generate` does: special-token text becomes special tokens. */
  tokenize(text: string): Token[] {
    return this.require().model.tokenize(text, true);
  }

  generate(prompt: string, options: GenerateOptions = {}): Promise<GenerationResult> {
    let loaded: Loaded;
    try {
      loaded = this.require();
    } catch (error) {
      return Promise.reject(error);
    }
    return loaded.generator.generate(prompt, { ...options, signal: this.withUnload(options.signal) });
  }

  /** YES/NO next-token probabilities after `prompt`, on the session's one sequence (see SequenceGenerator.score). */
  score(prompt: string, signal?: AbortSignal): Promise<ScoreResult> {
    let loaded: Loaded;
    try {
      loaded = this.require();
    } catch (error) {
      return Promise.reject(error);
    }
    return loaded.generator.score(prompt, this.withUnload(signal));
  }

  stream(prompt: string, options: StreamOptions = {}): GenerationStream {
    return new GenerationStream(
      ({ signal, onDelta }) => this.generate(prompt, { ...options, signal, onDelta }),
      options.signal,
    );
  }

  /** Abort any running generation, wait for native work to stop, free the context and the model. */
  unload(): Promise<void> {
    this.unloading ??= this.release();
    return this.unloading;
  }

  private async release(): Promise<void> {
    const loaded = this.loaded;
    if (loaded === undefined) return;
    this.loaded = undefined;
    this.unloadController.abort();
    await loaded.generator.settle();
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  private require(): Loaded {
    if (this.loaded === undefined) throw new AppError("model_not_loaded", "No model is loaded");
    return this.loaded;
  }

  private withUnload(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.unloadController.signal]) : this.unloadController.signal;
  }
}

/** Leave room for the context when a fixed context size was asked for. */
function resolveGpuLayers(gpuLayers: LoadModelOptions["gpuLayers"], contextSize: ContextSizeOption): LlamaModelOptions["gpuLayers"] {
  if (gpuLayers !== undefined && gpuLayers !== "auto") return gpuLayers;
  return typeof contextSize === "number" ? { fitContext: { contextSize } } : "auto";
}

/** The generator never lets the sequence fill up; a shift would silently drop the prompt's start. */
function refuseContextShift(): never {
  throw new AppError("context_overflow", "The context is full");
}

function loadFailure(error: unknown, modelPath: string): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InsufficientMemoryError) {
    return new AppError("internal", `Not enough memory to load the model: ${message}`, { reason: "insufficient_memory", modelPath });
  }
  if ((error as { code?: unknown } | null)?.code === "ENOENT") {
    return new AppError("not_found", `Model file not found: ${modelPath}`, { modelPath });
  }
  return new AppError("model_invalid", `The model could not be loaded: ${message}`, { modelPath, path: modelPath, reason: "load_refused" });
}

function contextFailure(error: unknown, contextSize: ContextSizeOption): AppError {
  const message = error instanceof Error ? error.message : String(error);
  const reason = error instanceof InsufficientMemoryError ? "insufficient_memory" : "context_creation_failed";
  return new AppError("internal", `Could not create a context: ${message}`, { reason, contextSize });
}
