import { randomUUID } from "node:crypto";
import { AppError, type AppEvent, type BackendInfo, type LoadOptions, type LoadFailure, type LoadPlanView, type LoadedModel, type ModelReport, type PlanParams } from "../../app/contract";
import type { EngineLostReason } from "../../app/contract/engine-faults";
import type { EngineSupervisor } from "../engine/supervisor";
import type { LoadFailures } from "./load-failures";

/** The loaded model as the backend tracks it, across engine crashes and restarts. */
export class ModelService {
  private loaded: LoadedModel | null = null;
  private loading: { loadId: string; path: string } | null = null;
  /** Remembered so a generation after an engine crash can reload what the user had loaded. */
  private lastLoad: { path: string; options: LoadOptions } | null = null;
  private engineLostModel = false;
  /** The model the engine was busy with when it stopped responding: never reloaded automatically into the same wedge. */
  private wedgedPath: string | null = null;
  private backendProbe: Promise<BackendInfo | null> | undefined;

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly publish: (event: AppEvent) => void,
    /** Where loads that took the engine down are kept (the app's database); none in a bare CLI run. */
    private readonly failures?: LoadFailures,
  ) {}

  current(): LoadedModel | null {
    return this.loaded;
  }

  inspect(path: string): Promise<ModelReport> {
    return this.engine.request({ op: "inspect", path }, { timeoutMs: 60_000 });
  }

  /**
   * The backend a load would use and its devices, without loading anything: what fit verdicts plan
   * for before the first load. Asked once; a failure is asked again next time.
   */
  probeBackend(): Promise<BackendInfo | null> {
    this.backendProbe ??= this.engine.request({ op: "backend", gpu: "auto" }, { timeoutMs: 120_000 }).catch(() => {
      this.backendProbe = undefined;
      return null;
    });
    return this.backendProbe;
  }

  /** Where this model's tensors would go on the engine's backend, with the memory free now. */
  plan(params: PlanParams): Promise<LoadPlanView> {
    // Opening a backend the first time can take a while (device probing).
    return this.engine.request({ op: "plan", params: { gpu: "auto", ...params } }, { timeoutMs: 120_000 });
  }

  async load(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
    if (this.loading) throw new AppError("engine_busy", `Already loading ${this.loading.path}.`, { path: this.loading.path });
    const loadId = randomUUID();
    this.loading = { loadId, path };
    if (path === this.wedgedPath) this.wedgedPath = null; // the user asked for it again
    this.publish({ type: "model.load_progress", loadId, path, progress: 0 });
    try {
      const loaded = await this.engine.request({ op: "load", loadId, path, options: { gpu: "auto", ...options } });
      this.loaded = loaded;
      this.lastLoad = { path, options };
      this.engineLostModel = false;
      this.failures?.clear(path);
      return loaded;
    } catch (error) {
      this.failures?.record(path, error);
      // A load that failed after the engine unloaded the previous model (a refused plan, say) took that model too.
      this.loaded = await this.engine.request({ op: "status" }, { timeoutMs: 10_000 }).then((s) => s.loaded, () => this.loaded);
      throw error;
    } finally {
      this.loading = null;
      this.publishStatus();
    }
  }

  async cancelLoad(): Promise<void> {
    if (!this.loading) return;
    await this.engine.request({ op: "cancelLoad", loadId: this.loading.loadId }, { timeoutMs: 10_000 });
  }

  async unload(): Promise<void> {
    await this.engine.request({ op: "unload" }, { timeoutMs: 30_000 });
    this.loaded = null;
    this.lastLoad = null;
    this.publishStatus();
  }

  /** Loads that took the engine down, newest first. */
  loadFailures(): LoadFailure[] {
    return this.failures?.list() ?? [];
  }

  onLoadProgress(loadId: string, progress: number): void {
    if (this.loading?.loadId !== loadId) return;
    this.publish({ type: "model.load_progress", loadId, path: this.loading.path, progress });
  }

  /** A crashed engine took its model with it; one that stopped responding marks the model it was busy with. */
  onEngineLost(reason: EngineLostReason): void {
    if (reason === "engine_unresponsive") this.wedgedPath = this.loading?.path ?? this.loaded?.report.path ?? this.wedgedPath;
    if (!this.loaded && !this.loading) return;
    // A crash while loading was that load's doing: nothing reloads on its own (the failure is recorded instead).
    this.engineLostModel = this.loading === null;
    this.loaded = null;
    this.loading = null;
    this.publishStatus();
  }

  /** Before a generation: reload the model a crash unloaded, once. */
  async ensureLoaded(): Promise<LoadedModel> {
    if (this.loaded) return this.loaded;
    if (this.engineLostModel && this.lastLoad && this.lastLoad.path === this.wedgedPath) {
      throw new AppError(
        "model_not_loaded",
        `The engine stopped responding while it worked with ${this.lastLoad.path}, so it was not loaded again automatically. Load it again to retry.`,
        { reason: "engine_unresponsive", path: this.lastLoad.path },
      );
    }
    if (this.engineLostModel && this.lastLoad) {
      this.engineLostModel = false;
      return this.load(this.lastLoad.path, this.lastLoad.options);
    }
    throw new AppError("model_not_loaded", "No model is loaded. Load a GGUF first.");
  }

  private publishStatus(): void {
    this.publish({ type: "model.status", loaded: this.loaded, loadingPath: this.loading?.path ?? null, lostInCrash: this.engineLostModel });
  }
}
