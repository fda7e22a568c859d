import { randomUUID } from "node:crypto";
import { mkdir, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AppError, type AppErrorData } from "../../app/contract";
import type { Db } from "../storage/database";
import { chunksFor } from "./chunk-plan";
import { freeBytes } from "./disk-space";
import { AbortedError, diskFullError, downloadError, isDiskFullFailure } from "./errors";
import { downloadFile, partialPath, type FileRunContext } from "./file-download";
import { HubFileCache } from "./hub-cache";
import type { HubClient, ProbeResult } from "./hub-client";
import { DurabilityQueue } from "./durability";
import { Library } from "./library";
import { parseModelRef, type ModelRef } from "./model-ref";
import { planDownload, type PlannedFile } from "./plan";
import { probeWithRetry } from "./probe";
import { Semaphore } from "./semaphore";
import { DEFAULT_DOWNLOAD_SETTINGS, type DownloadSettings } from "./settings";
import { SpeedMeter } from "./speed";
import { DownloadStore, type DownloadRecord, type DownloadState, type FileRow, type SourceRow } from "./store";
import { TokenBucket } from "./token-bucket";
import { validateDownloadedModel } from "./validate";

export interface StartRequest {
  /** hf:owner/repo[:QUANT], a Hub URL, a plain https URL, or an already parsed ref. */
  ref: string | ModelRef;
  /** Folder the model's files are written to. */
  destDir: string;
}

export interface FileProgress {
  path: string;
  size: number;
  bytesDone: number;
  verified: boolean;
}

export interface DownloadInfo {
  id: string;
  ref: ModelRef;
  repo: string | null;
  quant: string | null;
  destDir: string;
  /** The file to hand to llama.cpp (the first shard of a split model). */
  primaryPath: string;
  state: DownloadState;
  /** Why it is paused (disk_full) or failed; `details.reason` says which. */
  error: AppErrorData | null;
  totalBytes: number;
  bytesDone: number;
  speedBps: number;
  etaSeconds: number | null;
  files: FileProgress[];
}

export interface DownloaderEvents {
  progress: DownloadInfo;
  state: DownloadInfo;
}

export interface DownloaderOptions {
  db: Db;
  hub: HubClient;
  settings?: Partial<DownloadSettings>;
}

type StopReason = { kind: "pause" | "cancel" | "close" } | { kind: "disk_full"; error: AppError };

interface Run {
  record: DownloadRecord;
  controller: AbortController;
  stop: StopReason | null;
  meter: SpeedMeter;
  done: Promise<void>;
}

/** A probe made by start() spares the file's first run its own, if that run begins this soon. */
const PROBE_REUSE_MS = 30_000;

const SETTLED: ReadonlySet<DownloadState> = new Set(["paused", "completed", "failed", "cancelled"]);

/** Downloads models: start, pause, resume, cancel; state lives in SQLite so any exit can be resumed. */
export class Downloader {
  private settings: DownloadSettings;
  private readonly store: DownloadStore;
  private readonly library: Library;
  private readonly durability: DurabilityQueue;
  private readonly cache: HubFileCache;
  private readonly throttle: TokenBucket;
  private readonly slots: Semaphore;
  private readonly runs = new Map<string, Run>();
  private readonly listeners = { progress: new Set<(e: DownloadInfo) => void>(), state: new Set<(e: DownloadInfo) => void>() };
  private ticker: NodeJS.Timeout | undefined;
  private lastDiskCheck = 0;
  private readonly recentProbes = new Map<string, { probe: ProbeResult; at: number }>();

  constructor(private readonly options: DownloaderOptions) {
    this.settings = { ...DEFAULT_DOWNLOAD_SETTINGS, ...options.settings };
    this.store = new DownloadStore(options.db);
    this.library = new Library(options.db);
    this.durability = new DurabilityQueue(this.library);
    this.cache = new HubFileCache(options.db);
    this.throttle = new TokenBucket(this.settings.bandwidthLimitBps);
    this.slots = new Semaphore(this.settings.parallelFiles);
  }

  /** Applies to new connections and files at once; running chunks keep their retry policy. */
  updateSettings(partial: Partial<DownloadSettings>): void {
    this.settings = { ...this.settings, ...partial };
    this.throttle.setRate(this.settings.bandwidthLimitBps);
    this.slots.resize(this.settings.parallelFiles);
  }

  on<K extends keyof DownloaderEvents>(event: K, listener: (e: DownloaderEvents[K]) => void): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /**
   * Resolves the ref, checks that every file is reachable (gated, missing, offline fail here)
   * and that the disk has room, then downloads in the background.
   */
  async start(request: StartRequest): Promise<DownloadInfo> {
    const ref = typeof request.ref === "string" ? parseModelRef(request.ref, this.options.hub.endpoint) : request.ref;
    const destDir = resolve(request.destDir);
    const plan = await planDownload(this.options.hub, this.cache, ref);
    const files = await this.probeFiles(plan.files, destDir, plan.repo);
    for (const file of files) {
      const busy = this.store.activeFor(file.finalPath);
      if (busy) throw downloadError("bad_request", "busy", `${file.finalPath} is already being downloaded.`, { downloadId: busy });
    }
    const primaryPath = files[0]?.finalPath ?? destDir;
    if (this.library.modelAt(primaryPath)?.verified && files.every((f) => this.library.hasIntactFile(f.finalPath, f.size))) {
      throw downloadError("bad_request", "busy", `Already downloaded and verified: ${primaryPath}.`, { path: primaryPath });
    }
    for (const file of files) {
      if (!this.library.hasIntactFile(file.finalPath, file.size)) continue;
      file.verified = true;
      for (const c of file.chunks) c.done = c.end - c.start;
    }
    await mkdir(destDir, { recursive: true });
    await this.checkSpace(destDir, remainingBytes(files));
    const now = Date.now();
    const record: DownloadRecord = {
      id: randomUUID(),
      ref,
      repo: plan.repo,
      quant: plan.quant,
      destDir,
      state: "queued",
      error: null,
      totalBytes: files.reduce((s, f) => s + f.size, 0),
      createdAt: now,
      updatedAt: now,
      files,
    };
    this.store.create(record);
    this.library.ensureModel({
      id: record.id, repo: plan.repo, quant: plan.quant, primaryPath, totalBytes: record.totalBytes, fileCount: files.length,
    });
    return this.launch(record);
  }

  /** Continues a paused, failed or interrupted download from its recorded progress. */
  async resume(id: string): Promise<DownloadInfo> {
    const active = this.runs.get(id);
    if (active) return this.info(active.record, active);
    const record = this.requireRecord(id);
    if (record.state === "completed" || record.state === "cancelled") return this.info(record);
    await mkdir(record.destDir, { recursive: true });
    try {
      await this.checkSpace(record.destDir, remainingBytes(record.files));
    } catch (error) {
      const appError = AppError.from(error);
      this.store.setState(id, "paused", appError.toData());
      this.emit("state", this.info({ ...record, state: "paused", error: appError.toData() }));
      throw appError;
    }
    return this.launch(record);
  }

  /** Stops transfers, keeping partial files and progress. */
  async pause(id: string): Promise<DownloadInfo> {
    const run = this.runs.get(id);
    if (run) {
      run.stop ??= { kind: "pause" };
      run.controller.abort();
      await run.done;
      return this.info(this.requireRecord(id));
    }
    const record = this.requireRecord(id);
    if (record.state === "running" || record.state === "queued") {
      this.store.setState(id, "paused");
      record.state = "paused";
      this.emit("state", this.info(record));
    }
    return this.info(record);
  }

  /** Stops and deletes partial files, files of the unfinished model, and all state. */
  async cancel(id: string): Promise<void> {
    const run = this.runs.get(id);
    if (run) {
      run.stop = { kind: "cancel" };
      run.controller.abort();
      await run.done;
      return;
    }
    const record = this.requireRecord(id);
    if (record.state === "completed") {
      throw downloadError("bad_request", "busy", "A completed download is removed from the library, not cancelled.", { id });
    }
    await this.discard(record);
  }

  /** Resolves at the next settled state (paused, completed, failed, cancelled), or now if idle. */
  wait(id: string): Promise<DownloadInfo> {
    const run = this.runs.get(id);
    if (!run) return Promise.resolve(this.get(id) ?? cancelledStub(id));
    return new Promise((resolve) => {
      const off = this.on("state", (info) => {
        if (info.id !== id || !SETTLED.has(info.state)) return;
        off();
        resolve(info);
      });
    });
  }

  get(id: string): DownloadInfo | undefined {
    const run = this.runs.get(id);
    if (run) return this.info(run.record, run);
    const record = this.store.get(id);
    return record ? this.info(record) : undefined;
  }

  list(): DownloadInfo[] {
    return this.store.list().map((r) => {
      const run = this.runs.get(r.id);
      return run ? this.info(run.record, run) : this.info(r);
    });
  }

  /**
   * After a quit, a crash or a reboot: resumes what was running, and re-hashes finished files a
   * reboot may have cut short. Failures land in each download's state.
   */
  async resumeInterrupted(): Promise<DownloadInfo[]> {
    this.durability.recheckLostToReboot();
    const interrupted = this.store.list().filter((r) => (r.state === "running" || r.state === "queued") && !this.runs.has(r.id));
    const resumed: DownloadInfo[] = [];
    for (const record of interrupted) {
      try {
        resumed.push(await this.resume(record.id));
      } catch {
        // resume() already recorded why (e.g. disk_full) in the download's state.
      }
    }
    return resumed;
  }

  /** Resolves once the re-hashes `resumeInterrupted()` started are done. */
  rechecked(): Promise<void> {
    return this.durability.rechecked();
  }

  /**
   * Stops every transfer with its progress saved (the downloads resume on the next start) and
   * waits until every finished file is fdatasync'ed.
   */
  async close(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) {
      run.stop ??= { kind: "close" };
      run.controller.abort();
    }
    await Promise.all(runs.map((r) => r.done));
    await this.durability.drain();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private launch(record: DownloadRecord): DownloadInfo {
    const run: Run = { record, controller: new AbortController(), stop: null, meter: new SpeedMeter(), done: Promise.resolve() };
    this.runs.set(record.id, run);
    record.state = "running";
    record.error = null;
    this.store.setState(record.id, "running");
    run.done = this.execute(run).then(
      () => this.finish(run, null),
      (error: unknown) => this.finish(run, error),
    );
    this.ensureTicker();
    const info = this.info(record, run);
    this.emit("state", info);
    return info;
  }

  private async execute(run: Run): Promise<void> {
    const { record } = run;
    const ctx: FileRunContext = {
      downloadId: record.id,
      repo: record.repo,
      hub: this.options.hub,
      store: this.store,
      library: this.library,
      durability: this.durability,
      throttle: this.throttle,
      settings: this.settings,
      signal: run.controller.signal,
      takeRecentProbe: (url) => this.takeRecentProbe(url),
    };
    let failure: unknown = null;
    await Promise.all(
      record.files.map(async (file) => {
        try {
          const release = await this.slots.acquire(run.controller.signal);
          try {
            await downloadFile(ctx, file);
          } finally {
            release();
          }
        } catch (error) {
          // The first real failure stops the other files of the model.
          if (failure === null || (failure instanceof AbortedError && !(error instanceof AbortedError))) failure = error;
          run.controller.abort();
        }
      }),
    );
    if (failure) throw failure;
    // Whole-model checks need every shard at its final name: only now can they run.
    await validateDownloadedModel(record.files[0]?.finalPath ?? record.destDir);
    if (!this.library.completeModel(record.id)) {
      throw downloadError("internal", "io", "Every file finished but the library does not list them all as verified.", { id: record.id });
    }
  }

  private async finish(run: Run, error: unknown): Promise<void> {
    const { record } = run;
    const stop = run.stop;
    let state: DownloadState;
    let errorData: AppErrorData | null = null;
    if (stop?.kind === "cancel") {
      this.runs.delete(record.id);
      await this.discard(record);
      return;
    } else if (stop?.kind === "close") {
      // Left as "running" on purpose: resumeInterrupted() picks it up on the next start.
      this.runs.delete(record.id);
      this.stopTickerIfIdle();
      return;
    } else if (stop?.kind === "pause") {
      state = "paused";
    } else if (stop?.kind === "disk_full") {
      state = "paused";
      errorData = stop.error.toData();
    } else if (error === null) {
      state = "completed";
    } else {
      const appError = error instanceof AbortedError ? new AppError("internal", "Download stopped unexpectedly.") : AppError.from(error);
      errorData = appError.toData();
      // A full disk is something the user fixes, then resumes: paused, not failed.
      state = isDiskFullFailure(appError) ? "paused" : "failed";
    }
    this.runs.delete(record.id);
    this.store.setState(record.id, state, errorData);
    record.state = state;
    record.error = errorData;
    this.stopTickerIfIdle();
    this.emit("state", this.info(record, run));
  }

  private async discard(record: DownloadRecord): Promise<void> {
    for (const file of record.files) await unlink(partialPath(file.finalPath)).catch(() => undefined);
    for (const path of this.library.forgetUnverified(record.id)) await unlink(path).catch(() => undefined);
    this.store.delete(record.id);
    this.emit("state", { ...this.info(record), state: "cancelled", error: null });
  }

  private async probeFiles(planned: PlannedFile[], destDir: string, repo: string | null): Promise<FileRow[]> {
    const policy = { ...this.settings, maxRetries: Math.min(this.settings.maxRetries, 3) };
    const files: FileRow[] = [];
    for (const [idx, file] of planned.entries()) {
      const sources: SourceRow[] = [];
      let offset = 0;
      // A few objects at a time: a 5-part model should not open 5 probes to the Hub at once.
      for (let i = 0; i < file.sources.length; i += 4) {
        const batch = file.sources.slice(i, i + 4);
        const probes = await Promise.all(batch.map((s) => probeWithRetry(this.options.hub, s.url, policy, undefined, repo ?? undefined)));
        for (const [j, probe] of probes.entries()) {
          const planned = batch[j];
          if (!planned) continue;
          // The live object wins over the listing: the repo may have been updated since.
          const sha256 = probe.linkedSha256 ?? (probe.size === planned.size ? planned.sha256 : null);
          sources.push({ idx: i + j, url: planned.url, offset, size: probe.size, sha256, etag: probe.etag, rangeable: probe.rangeable });
          this.recentProbes.set(planned.url, { probe, at: performance.now() });
          offset += probe.size;
        }
      }
      const chunks = chunksFor(sources, this.settings);
      files.push({ idx, finalPath: join(destDir, file.name), size: offset, verified: false, sources, chunks });
    }
    return files;
  }

  /** Each probe is used once: a later run (a resume, a retry) asks the server again. */
  private takeRecentProbe(url: string): ProbeResult | undefined {
    const recent = this.recentProbes.get(url);
    this.recentProbes.delete(url);
    for (const [key, entry] of this.recentProbes) if (performance.now() - entry.at > PROBE_REUSE_MS) this.recentProbes.delete(key);
    return recent && performance.now() - recent.at <= PROBE_REUSE_MS ? recent.probe : undefined;
  }

  private async checkSpace(dir: string, needed: number): Promise<void> {
    if (needed <= 0) return;
    const available = await freeBytes(dir);
    if (available < needed + this.settings.diskReserveBytes) {
      throw diskFullError(dir, needed + this.settings.diskReserveBytes - available, available);
    }
  }

  private ensureTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => void this.tick(), this.settings.progressIntervalMs);
    this.ticker.unref();
  }

  private stopTickerIfIdle(): void {
    if (this.runs.size > 0 || !this.ticker) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async tick(): Promise<void> {
    const now = performance.now();
    for (const run of this.runs.values()) {
      run.meter.sample(bytesDone(run.record.files), now);
      this.emit("progress", this.info(run.record, run));
    }
    const interval = this.settings.diskCheckIntervalMs;
    if (interval <= 0 || now - this.lastDiskCheck < interval) return;
    this.lastDiskCheck = now;
    for (const run of [...this.runs.values()]) {
      if (run.stop) continue;
      const needed = remainingBytes(run.record.files);
      const available = await freeBytes(run.record.destDir).catch(() => Infinity);
      if (available >= needed + this.settings.diskReserveBytes || run.stop) continue;
      // Pausing before the disk is actually full keeps the partial and the database consistent.
      run.stop = { kind: "disk_full", error: diskFullError(run.record.destDir, needed + this.settings.diskReserveBytes - available, available) };
      run.controller.abort();
    }
  }

  private info(record: DownloadRecord, run?: Run): DownloadInfo {
    const done = bytesDone(record.files);
    const speed = run?.meter.bytesPerSecond ?? 0;
    const total = record.files.reduce((s, f) => s + f.size, 0);
    return {
      id: record.id,
      ref: record.ref,
      repo: record.repo,
      quant: record.quant,
      destDir: record.destDir,
      primaryPath: record.files[0]?.finalPath ?? record.destDir,
      state: record.state,
      error: record.error,
      totalBytes: total,
      bytesDone: done,
      speedBps: speed,
      etaSeconds: run?.meter.etaSeconds(total - done) ?? null,
      files: record.files.map((f) => ({
        path: f.finalPath,
        size: f.size,
        bytesDone: f.verified ? f.size : f.chunks.reduce((s, c) => s + c.done, 0),
        verified: f.verified,
      })),
    };
  }

  private requireRecord(id: string): DownloadRecord {
    const record = this.store.get(id);
    if (!record) throw downloadError("not_found", "not_found", `No download ${id}.`, { id });
    return record;
  }

  private emit<K extends keyof DownloaderEvents>(event: K, payload: DownloaderEvents[K]): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(payload);
      } catch {
        // A broken listener must not break the download.
      }
    }
  }
}

function bytesDone(files: readonly FileRow[]): number {
  return files.reduce((s, f) => s + (f.verified ? f.size : f.chunks.reduce((t, c) => t + c.done, 0)), 0);
}

function remainingBytes(files: readonly FileRow[]): number {
  return files.reduce((s, f) => s + f.size, 0) - bytesDone(files);
}

function cancelledStub(id: string): DownloadInfo {
  return {
    id, ref: { kind: "url", url: "", fileName: "" }, repo: null, quant: null, destDir: "", primaryPath: "", state: "cancelled",
    error: null, totalBytes: 0, bytesDone: 0, speedBps: 0, etaSeconds: null, files: [],
  };
}
