import type { Llama } from "node-llama-cpp";
import {
  AppError,
  ContextOverflowDetailsSchema,
  OVERFLOW_REPLY_TOKENS,
  type BackendInfo,
  type GenerationEvent,
  type GpuChoice,
  type LoadedModel,
  type LoadPlanView,
  type ModelReport,
  type OffloadChoice,
  type ParsedGenerationRequest,
  type ParsedScoreRequest,
  type ScoreResult,
} from "../../app/contract";
import { describeBackend, llamaLogForwarder, openBackend, ModelSession } from "../llama";
import { expertOffloadSupport, modelOptionsForPlan } from "../offload/capability";
import type { LoadPlan } from "../../app/planner";
import type { ModelReport as GgufReport } from "../../node/gguf/report";
import {
  appliedOffload,
  backendWithout,
  isSoftwareDevice,
  planForBackend,
  planView,
  reloadContextForBackend,
  requireLoadablePlan,
  validatePlanRequest,
} from "../offload/load-plan";
import { inspectForContract } from "./report";
import { PromptBuilder } from "./prompt-builder";
import { runGeneration } from "./generation-run";


type LoadRequestOptions = { gpu: GpuChoice; contextSize?: number; gpuLayers?: number; threads?: number; offload?: OffloadChoice; acceptRisk?: boolean };

interface Loaded {
  session: ModelSession;
  /** The plan it was loaded with: what unloading it frees, for planning the next load. */
  plan: LoadPlan;
  /** Its GGUF header and load options: a context overflow's reload is planned from them. */
  gguf: GgufReport;
  options: LoadRequestOptions;
  model: LoadedModel;
  prompts: PromptBuilder;
}

/** Everything the engine process holds: the backend, at most one model, its running work. */
export class EngineService {
  private llama: { gpu: GpuChoice; instance: Llama } | undefined;
  private loaded: Loaded | undefined;
  private readonly loads = new Map<string, AbortController>();
  private readonly generations = new Map<string, AbortController>();
  private backendQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: (level: "info" | "warn" | "error", message: string) => void) {}

  async inspect(path: string): Promise<ModelReport> {
    return (await inspectForContract(path)).report;
  }

  /** The load plan for `path` on the backend `gpu` picks, with that backend's free memory now. */
  async plan(params: {
    path: string;
    gpu: GpuChoice;
    contextSize?: number;
    offload?: OffloadChoice;
    machine?: { gpuVram: number; ram: number };
  }): Promise<LoadPlanView> {
    const { gguf } = await inspectForContract(params.path);
    return this.exclusive(async () => {
      // Never swap the backend under a loaded or loading model: plan on the one it runs on.
      const busy = this.loaded !== undefined || this.loads.size > 0;
      const llama = busy && this.llama ? this.llama.instance : await this.backend(params.gpu);
      const backend = await describeBackend(llama);
      const plan = planForBackend(gguf, backend, params);
      return planView(plan, backend, expertOffloadSupport(llama), params.machine !== undefined);
    });
  }

  /** The backend `gpu` picks (the one in use while a model is loaded or loading), with its memory now. */
  async backendInfo(gpu: GpuChoice): Promise<BackendInfo> {
    return this.exclusive(async () => {
      const busy = this.loaded !== undefined || this.loads.size > 0;
      return describeBackend(busy && this.llama ? this.llama.instance : await this.backend(gpu));
    });
  }

  async status(): Promise<{ loaded: LoadedModel | null; backend: BackendInfo | null }> {
    return { loaded: this.loaded?.model ?? null, backend: this.llama ? await describeBackend(this.llama.instance) : null };
  }

  async load(
    loadId: string,
    path: string,
    options: LoadRequestOptions,
    onProgress: (progress: number) => void,
  ): Promise<LoadedModel> {
    if (this.loads.size > 0) throw new AppError("engine_busy", "Another model is loading.");
    const controller = new AbortController();
    this.loads.set(loadId, controller);
    try {
      // Validate before llama.cpp sees the file: a bad GGUF must be a typed error, not a native abort.
      const { report, gguf } = await inspectForContract(path);
      // A refused request must leave the current model loaded: validate and plan first, unload last.
      await this.planBeforeUnload(gguf, options);
      await this.unload();
      const llama = await this.exclusive(() => this.backend(options.gpu));
      // Plan with the memory this backend has free now (the previous model is gone), then load that plan.
      const plan = planForBackend(gguf, await describeBackend(llama), options);
      requireLoadablePlan(plan, options.acceptRisk === true);
      const placement = modelOptionsForPlan(llama, plan);
      if (placement.message !== undefined) this.log("warn", placement.message);
      // M2D_ENGINE_THREADS pins compute threads (tests on a busy 2-core box: tiny models stall with more).
      const threads = options.threads ?? (Number(process.env.M2D_ENGINE_THREADS) || undefined);
      const session = await ModelSession.load(llama, {
        modelPath: report.path,
        contextSize: plan.context,
        ...placement.options,
        ...(plan.flashAttention ? {} : { flashAttention: false }),
        ...(threads !== undefined ? { threads } : {}),
        onLoadProgress: onProgress,
        signal: controller.signal,
      });
      let prompts: PromptBuilder;
      try {
        prompts = new PromptBuilder(report, gguf.chatTemplate, (message) => this.log("warn", message));
      } catch (error) {
        await session.unload();
        throw error;
      }
      const model: LoadedModel = {
        report,
        backend: await describeBackend(llama),
        contextSize: session.contextSize,
        promptFormat: prompts.format,
        loadedAt: Date.now(),
        offload: appliedOffload(plan, placement, !plan.fits || plan.swaps),
      };
      this.loaded = { session, model, prompts, plan, gguf, options };
      return model;
    } finally {
      this.loads.delete(loadId);
    }
  }

  /**
   * Throws what a load of `report` would be refused for before the current model is unloaded: the
   * request's own errors, and a plan that does not fit even with the current model's memory free.
   */
  private async planBeforeUnload(report: GgufReport, options: LoadRequestOptions): Promise<void> {
    validatePlanRequest(report, options);
    await this.exclusive(async () => {
      const loaded = this.loaded;
      if (!loaded || this.llama?.gpu !== options.gpu || options.acceptRisk === true) return;
      const plan = planForBackend(report, backendWithout(await describeBackend(this.llama.instance), loaded.plan), options);
      if (!plan.fits) requireLoadablePlan(plan, false);
    });
  }

  cancelLoad(loadId: string): void {
    this.loads.get(loadId)?.abort();
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    for (const controller of this.generations.values()) controller.abort();
    await loaded?.session.unload();
  }

  renderPrompt(request: ParsedGenerationRequest): { prompt: string; tokens: number } {
    const loaded = this.require();
    const prompt = loaded.prompts.build(request);
    return { prompt, tokens: loaded.session.tokenize(prompt).length };
  }

  async generate(generationId: string, request: ParsedGenerationRequest, emit: (event: GenerationEvent) => void) {
    const loaded = this.require();
    if (this.generations.size > 0) throw new AppError("engine_busy", "A generation is already running.");
    const controller = new AbortController();
    this.generations.set(generationId, controller);
    try {
      const prompt = loaded.prompts.build(request);
      const result = await runGeneration({
        session: loaded.session,
        prompt,
        request,
        protocol: loaded.prompts.protocol,
        signal: controller.signal,
        emit,
        explainError: (error) => this.offerReload(error, request),
      });
      return { finishReason: result.finishReason, stats: result.stats?.stats ?? null };
    } finally {
      this.generations.delete(generationId);
    }
  }

  /**
   * A YES/NO question scored from the next-token probabilities: the prompt the generate op would build, with the
   * assistant turn's thinking closed by the family's own primer, so the next token is the answer. It takes the
   * one generation slot (abort by its id), and shares the sequence's KV cache like any generation.
   */
  async score(scoreId: string, request: ParsedScoreRequest): Promise<ScoreResult> {
    const loaded = this.require();
    if (this.generations.size > 0) throw new AppError("engine_busy", "A generation is already running.");
    const controller = new AbortController();
    this.generations.set(scoreId, controller);
    try {
      const parsed: ParsedGenerationRequest = { messages: request.messages, ...(request.thinking ? { thinking: request.thinking } : {}), sampling: { temperature: 0, topP: 1, topK: 0, maxTokens: 1 } };
      const renderOptions = request.thinking ? { thinking: request.thinking } : {};
      const prompt = loaded.prompts.build(parsed) + (loaded.prompts.protocol?.answerPrimer(renderOptions) ?? "");
      try {
        return await loaded.session.score(prompt, controller.signal);
      } catch (error) {
        throw await this.offerReload(AppError.from(error), parsed);
      }
    } finally {
      this.generations.delete(scoreId);
    }
  }

  /**
   * A context overflow gets the planner's context to reload with: the smallest comfortable one that
   * holds the prompt and the reply (maxTokens, else OVERFLOW_REPLY_TOKENS) with the same offload
   * choice, on this backend with the loaded model's memory counted free; or the largest that fits.
   */
  private async offerReload(error: AppError, request: ParsedGenerationRequest): Promise<AppError> {
    const loaded = this.loaded;
    const details = ContextOverflowDetailsSchema.safeParse(error.details);
    if (error.code !== "context_overflow" || !details.success || !loaded || !this.llama) return error;
    const replyTokens = request.sampling.maxTokens ?? OVERFLOW_REPLY_TOKENS;
    const { promptTokens, contextSize } = details.data;
    let reloadContext: number | null = null;
    try {
      const backend = backendWithout(await describeBackend(this.llama.instance), loaded.plan);
      reloadContext = reloadContextForBackend(loaded.gguf, backend, loaded.options, promptTokens + replyTokens, contextSize);
    } catch (planError) {
      this.log("warn", `Could not plan a larger context: ${AppError.from(planError).message}`);
    }
    const offer = reloadContext !== null ? `; reload with ${reloadContext.toLocaleString("en-US")} tokens of context to fit it` : "; no larger context fits in memory";
    return new AppError("context_overflow", `${error.message}${offer}`, { ...details.data, replyTokens, reloadContext });
  }

  abort(generationId: string): void {
    this.generations.get(generationId)?.abort();
  }

  private require(): Loaded {
    if (!this.loaded) throw new AppError("model_not_loaded", "No model is loaded. Load a GGUF first.");
    return this.loaded;
  }

  /** Runs `task` after every earlier one: a plan must not have its backend reopened under it by a load, nor the reverse. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.backendQueue.then(task, task);
    this.backendQueue = run.catch(() => undefined);
    return run;
  }

  /** One llama.cpp backend per process; a different GPU choice reopens it. */
  private async backend(gpu: GpuChoice): Promise<Llama> {
    if (this.llama?.gpu === gpu) return this.llama.instance;
    await this.llama?.instance.dispose();
    this.llama = undefined;
    const logger = llamaLogForwarder(this.log);
    let instance = await openBackend({ gpu: gpu === "cpu" ? false : gpu, logger });
    // "auto" must not pick a software rasterizer (Mesa's llvmpipe): it is a slower CPU, not a GPU.
    if (gpu === "auto" && instance.gpu !== false && (await instance.getGpuDeviceNames()).every(isSoftwareDevice)) {
      this.log("info", "Only a software Vulkan device (llvmpipe) was found; using the CPU backend.");
      await instance.dispose();
      instance = await openBackend({ gpu: false, logger });
    }
    this.llama = { gpu, instance };
    return instance;
  }
}
