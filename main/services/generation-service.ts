import { randomUUID } from "node:crypto";
import { AppError, GenerationRequestSchema, ScoreRequestSchema, type ScoreRequest, type ScoreResult, type AppEvent, type GenerationEvent, type GenerationRequest, type ParsedGenerationRequest } from "../../app/contract";
import type { EngineSupervisor } from "../engine/supervisor";
import type { ModelService } from "./model-service";
import { EngineTurns } from "./engine-turns";

/**
 * Runs generations in the engine and guarantees each one ends with exactly one `done`
 * event, also when the engine dies mid-stream (then the partial output is interrupted).
 * Generations take turns (FIFO): one started while another runs waits for it.
 */
export class GenerationService {
  private readonly active = new Set<string>();
  private readonly turns = new EngineTurns();

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly models: ModelService,
    private readonly publish: (event: AppEvent) => void,
  ) {}

  isActive(generationId: string): boolean {
    return this.active.has(generationId);
  }

  /** Called with every generation event the engine streams. */
  onEngineEvent(generationId: string, event: GenerationEvent): void {
    if (!this.active.has(generationId)) return;
    if (event.type === "done") {
      this.active.delete(generationId);
      this.turns.leave(generationId);
    }
    this.publish({ type: "generation.event", generationId, event });
  }

  /** Starts a generation; its events arrive as `generation.event`. The caller picks the id so no event precedes it. */
  async start(generationId: string, input: GenerationRequest): Promise<void> {
    if (this.active.has(generationId)) throw new AppError("bad_request", `Generation ${generationId} is already running.`);
    const parsed = GenerationRequestSchema.safeParse(input);
    if (!parsed.success) throw new AppError("bad_request", "Invalid generation request.", { issues: parsed.error.issues });
    const request = parsed.data;
    await this.models.ensureLoaded();
    this.active.add(generationId);
    // Queued, not refused: the caller's start returns now and its events follow when its turn comes.
    void this.turns.take(generationId).then((granted) => {
      if (granted) this.run(generationId, request);
    });
  }

  private run(generationId: string, request: ParsedGenerationRequest): void {
    this.engine.request({ op: "generate", generationId, request }).catch((error: unknown) => {
      if (!this.active.has(generationId)) return;
      const appError = AppError.from(error);
      this.onEngineEvent(generationId, {
        type: "done",
        finish_reason: "error",
        error: appError.toData(),
      });
    });
  }

  /**
   * A YES/NO question's answer probabilities (the engine's score op). It waits its turn like a generation, so it
   * never meets a chat or an agent step on the one sequence; aborting `signal` stops it with a typed `aborted`.
   */
  async score(input: ScoreRequest, signal?: AbortSignal): Promise<ScoreResult> {
    const parsed = ScoreRequestSchema.safeParse(input);
    if (!parsed.success) throw new AppError("bad_request", "Invalid score request.", { issues: parsed.error.issues });
    if (signal?.aborted) throw new AppError("aborted", "Scoring was aborted.");
    await this.models.ensureLoaded();
    const scoreId = `score-${randomUUID()}`;
    const onAbort = () => this.turns.leave(scoreId);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (!(await this.turns.take(scoreId)) || signal?.aborted) throw new AppError("aborted", "Scoring was aborted.");
      signal?.removeEventListener("abort", onAbort);
      const stop = () => void this.engine.request({ op: "abort", generationId: scoreId }, { timeoutMs: 5_000 }).catch(() => undefined);
      signal?.addEventListener("abort", stop, { once: true });
      try {
        return await this.engine.request({ op: "score", scoreId, request: parsed.data });
      } finally {
        signal?.removeEventListener("abort", stop);
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.turns.leave(scoreId);
    }
  }

  async abort(generationId: string): Promise<void> {
    if (!this.active.has(generationId)) return;
    if (this.turns.isWaiting(generationId)) return this.onEngineEvent(generationId, { type: "done", finish_reason: "abort" });
    await this.engine.request({ op: "abort", generationId }, { timeoutMs: 5_000 });
  }
}
