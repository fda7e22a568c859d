import { mkdir, open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { AppError } from "../../app/contract";
import { backoffDelay, sleep } from "./backoff";
import { bootId } from "./boot-id";
import { chunksFor, type Chunk } from "./chunk-plan";
import { fetchChunk, RangeIgnoredError } from "./chunk-fetch";
import type { DurabilityQueue } from "./durability";
import { freeBytes, isDiskFull } from "./disk-space";
import { AbortedError, diskFullError, downloadError, failureReason, offlineError, throwIfAborted } from "./errors";
import { readGgufHeader } from "./gguf-header";
import { NetError } from "./http";
import { HttpStatusError, type HubClient, type ProbeResult } from "./hub-client";
import type { Library } from "./library";
import { FileWriter, WriteError } from "./file-writer";
import { PrefixHasher } from "./prefix-hasher";
import { probeWithRetry, sameObject } from "./probe";
import type { DownloadSettings } from "./settings";
import type { DownloadStore, FileRow, SourceRow } from "./store";
import type { TokenBucket } from "./token-bucket";

export interface FileRunContext {
  downloadId: string;
  repo: string | null;
  hub: HubClient;
  store: DownloadStore;
  library: Library;
  /** fdatasyncs verified files after they are handed over. */
  durability: DurabilityQueue;
  throttle: TokenBucket;
  settings: DownloadSettings;
  signal: AbortSignal;
  /** A probe of this URL made moments ago (when the download started), if there is one. */
  takeRecentProbe?: (url: string) => ProbeResult | undefined;
}

/** The remote object changed under us (new ETag or size, or ranges stopped working). */
class SourceChangedError extends Error {
  constructor() {
    super("source changed");
  }
}

export function partialPath(finalPath: string): string {
  return `${finalPath}.partial`;
}

/**
 * Downloads one file (mutating `file` in place so progress can be read live), verifies it
 * and moves it to its final name. Restarts the file from zero if the remote object changed.
 */
export async function downloadFile(ctx: FileRunContext, file: FileRow): Promise<void> {
  for (let restart = 0; ; restart++) {
    try {
      await new FileRun(ctx, file).run();
      return;
    } catch (error) {
      if (!(error instanceof SourceChangedError) || restart >= 3) throw error;
      await relayout(ctx, file);
    }
  }
}

/** New sizes, ETags and chunks from fresh probes; the partial is discarded. */
async function relayout(ctx: FileRunContext, file: FileRow): Promise<void> {
  const sources: SourceRow[] = [];
  let offset = 0;
  for (const old of file.sources) {
    const probe = await probeWithRetry(ctx.hub, old.url, ctx.settings, ctx.signal, ctx.repo ?? undefined);
    // A changed Hub object brings its own sha256; a plain URL never had one.
    const sha256 = probe.linkedSha256 ?? (old.etag && probe.etag === old.etag ? old.sha256 : null);
    sources.push({ idx: old.idx, url: old.url, offset, size: probe.size, sha256, etag: probe.etag, rangeable: probe.rangeable });
    offset += probe.size;
  }
  file.sources = sources;
  file.size = offset;
  file.verified = false;
  file.chunks = chunksFor(sources, ctx.settings);
  await unlink(partialPath(file.finalPath)).catch(() => undefined);
  ctx.store.replaceLayout(ctx.downloadId, file);
}

class FileRun {
  private readonly internal = new AbortController();
  private readonly probes = new Map<number, ProbeResult>();
  private readonly reprobes = new Map<number, Promise<void>>();
  private readonly persisted = new Map<number, number>();
  private readonly synced = new Map<number, number>();
  private fh: FileHandle | undefined;
  private writer: FileWriter | undefined;
  private hasher: PrefixHasher | undefined;
  private firstError: unknown = null;
  private frontierIdx = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private readonly queued = { flush: false, sync: false };
  private discarded = false;
  private readonly partial: string;

  constructor(
    private readonly ctx: FileRunContext,
    private readonly file: FileRow,
  ) {
    this.partial = partialPath(file.finalPath);
    // Written-but-unsynced bytes died with the page cache if the machine rebooted since.
    const rebooted = file.bootId != null && file.bootId !== bootId();
    file.chunks.forEach((c, i) => {
      const synced = file.synced?.[i] ?? 0;
      if (rebooted) c.done = Math.min(c.done, synced);
      this.persisted.set(c.idx, rebooted ? -1 : c.done);
      this.synced.set(c.idx, synced);
    });
  }

  private get signal(): AbortSignal {
    return this.internal.signal;
  }

  async run(): Promise<void> {
    const { ctx, file } = this;
    if (file.verified && ctx.library.hasIntactFile(file.finalPath, file.size)) return;
    if (file.verified) throw new SourceChangedError(); // verified once, since deleted or altered on disk
    const onOuterAbort = () => this.fail(new AbortedError());
    ctx.signal.addEventListener("abort", onOuterAbort, { once: true });
    throwIfAborted(ctx.signal);
    await mkdir(dirname(file.finalPath), { recursive: true });
    await this.checkPartial();
    await this.probeIncompleteSources();
    this.fh = await open(this.partial, (await exists(this.partial)) ? "r+" : "w+");
    this.writer = new FileWriter(this.partial);
    this.hasher = new PrefixHasher(this.partial, file.sources, (m) =>
      this.fail(this.hashMismatch(m.sourceIdx, m.expected, m.actual)),
    );
    const timers = [
      setInterval(() => void this.flush().catch((e: unknown) => this.fail(e)), ctx.settings.flushIntervalMs),
      setInterval(() => void this.sync().catch((e: unknown) => this.fail(e)), ctx.settings.syncIntervalMs),
    ];
    try {
      this.hasher.advance(this.frontier(), true);
      await this.runWorkers();
      await this.flush();
      await this.hasher.finish(file.size);
      if (this.firstError) throw this.firstError;
      await this.verifyAndFinish();
    } catch (error) {
      const failure = this.firstError ?? error;
      await this.writer.close();
      await this.hasher.close();
      if (failureReason(failure) === "hash_mismatch") await this.discard();
      throw failure;
    } finally {
      for (const timer of timers) clearInterval(timer);
      ctx.signal.removeEventListener("abort", onOuterAbort);
      if (!this.discarded) {
        await this.sync().catch(() => undefined);
        await this.flush().catch(() => undefined);
      }
      await this.writer?.close();
      await this.hasher?.close();
      await this.fh?.close().catch(() => undefined);
    }
  }

  /** Progress in SQLite is only trusted if the partial still holds it. */
  private async checkPartial(): Promise<void> {
    const written = Math.max(0, ...this.file.chunks.map((c) => (c.done > 0 ? c.start + c.done : 0)));
    if (written === 0) return;
    const size = await stat(this.partial).then((s) => s.size, () => -1);
    if (size >= written) return;
    this.resetProgress();
  }

  private resetProgress(): void {
    for (const c of this.file.chunks) c.done = 0;
    const zero = this.file.chunks.map((c) => ({ idx: c.idx, done: 0, synced: 0 }));
    this.ctx.store.saveProgress(this.ctx.downloadId, this.file.idx, zero, bootId());
    this.ctx.store.saveSynced(this.ctx.downloadId, this.file.idx, zero);
    for (const c of this.file.chunks) {
      this.persisted.set(c.idx, 0);
      this.synced.set(c.idx, 0);
    }
  }

  private async probeIncompleteSources(): Promise<void> {
    await Promise.all(
      this.file.sources.map(async (source) => {
        if (this.chunksOf(source).every((c) => c.done === c.end - c.start)) return;
        const probe =
          this.ctx.takeRecentProbe?.(source.url) ??
          (await probeWithRetry(this.ctx.hub, source.url, this.ctx.settings, this.ctx.signal, this.ctx.repo ?? undefined));
        if (!sameObject(source, probe)) throw new SourceChangedError();
        this.probes.set(source.idx, probe);
      }),
    );
  }

  private async runWorkers(): Promise<void> {
    const queue = this.file.chunks.filter((c) => c.done < c.end - c.start);
    const count = Math.min(queue.length, this.ctx.settings.connectionsPerFile);
    const worker = async () => {
      for (let chunk = queue.shift(); chunk && !this.signal.aborted; chunk = queue.shift()) {
        await this.fetchWithRetries(chunk);
        void this.flush().catch((e: unknown) => this.fail(e));
      }
    };
    await Promise.all(Array.from({ length: count }, () => worker().catch((e: unknown) => this.fail(e))));
    if (this.firstError) throw this.firstError;
    throwIfAborted(this.ctx.signal);
  }

  private async fetchWithRetries(chunk: Chunk): Promise<void> {
    const source = this.sourceOf(chunk);
    const { settings } = this.ctx;
    for (let attempt = 0; ; ) {
      throwIfAborted(this.signal);
      const probe = this.probes.get(source.idx);
      if (!probe) throw new Error(`no probe for source ${source.idx}`);
      // Without ranges, a broken transfer can only restart the object.
      if (!source.rangeable) chunk.done = 0;
      const before = chunk.done;
      try {
        await fetchChunk({
          hub: this.ctx.hub,
          url: probe.url,
          ifRange: probe.ifRange,
          rangeable: source.rangeable,
          sourceOffset: source.offset,
          chunk,
          writer: this.requireWriter(),
          throttle: this.ctx.throttle,
          idleTimeoutMs: settings.idleTimeoutMs,
          signal: this.signal,
          onWritten: () => this.onBytesWritten(),
        });
        return;
      } catch (error) {
        if (error instanceof AbortedError || this.signal.aborted) throw new AbortedError();
        if (error instanceof WriteError) throw await this.writeFailure(error);
        if (chunk.done > before) attempt = 0;
        attempt++;
        const wait = await this.recover(error, source);
        if (attempt > settings.maxRetries) throw this.gaveUp(error, source);
        await sleep(wait ?? backoffDelay(attempt - 1, { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs }), this.signal);
      }
    }
  }

  /** Decides how to go on after a failed transfer: a wait in ms, undefined for backoff, or a throw. */
  private async recover(error: unknown, source: SourceRow): Promise<number | undefined> {
    if (error instanceof RangeIgnoredError) {
      await this.reprobe(source);
      return undefined;
    }
    if (error instanceof HttpStatusError) {
      const { status } = error;
      if (status === 416) {
        await this.reprobe(source); // a stale range: same object → retry, changed → restart the file
        return undefined;
      }
      if ((status === 401 || status === 403) && !this.ctx.hub.isHubUrl(error.url)) {
        await this.reprobe(source); // the CDN's signed URL expired: resolve again
        return 0;
      }
      if (status === 429) return Math.min(error.retryAfterMs ?? this.ctx.settings.retryBaseMs, 5 * 60_000);
      const fatal = this.ctx.hub.statusError(error, this.ctx.repo ?? undefined);
      if (fatal) throw fatal;
      return undefined;
    }
    if (error instanceof NetError) return undefined;
    throw error;
  }

  private reprobe(source: SourceRow): Promise<void> {
    const running = this.reprobes.get(source.idx);
    if (running) return running;
    const work = (async () => {
      const probe = await probeWithRetry(this.ctx.hub, source.url, this.ctx.settings, this.signal, this.ctx.repo ?? undefined);
      if (!sameObject(source, probe)) throw new SourceChangedError();
      this.probes.set(source.idx, probe);
    })().finally(() => this.reprobes.delete(source.idx));
    this.reprobes.set(source.idx, work);
    return work;
  }

  private gaveUp(error: unknown, source: SourceRow): AppError {
    const retries = this.ctx.settings.maxRetries;
    if (error instanceof NetError && error.kind === "offline") return offlineError(source.url, error.code ?? error.message);
    if (error instanceof HttpStatusError) {
      return this.ctx.hub.statusError(error, this.ctx.repo ?? undefined) ??
        downloadError("internal", "http", `The server kept failing (HTTP ${error.status}) after ${retries} retries.`, { url: source.url, status: error.status });
    }
    const message = error instanceof Error ? error.message : String(error);
    return downloadError("internal", "network", `Download of ${basename(this.file.finalPath)} kept failing after ${retries} retries: ${message}`, { url: source.url });
  }

  private async writeFailure(error: WriteError): Promise<AppError> {
    const dir = dirname(this.file.finalPath);
    if (isDiskFull(error.cause)) {
      const remaining = this.file.size - this.file.chunks.reduce((s, c) => s + c.done, 0);
      return diskFullError(dir, remaining, await freeBytes(dir).catch(() => 0));
    }
    return downloadError("storage", "io", `Could not write ${this.partial}: ${error.message}`, { path: this.partial, cause: error.code });
  }

  private hashMismatch(sourceIdx: number, expected: string, actual: string): AppError {
    const name = basename(this.file.finalPath);
    const part = this.file.sources.length > 1 ? ` (part ${sourceIdx + 1} of ${this.file.sources.length})` : "";
    return downloadError(
      "storage",
      "hash_mismatch",
      `${name}${part} does not match the Hub's sha256 (expected ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…). The file was deleted; retry the download.`,
      { path: this.file.finalPath, expected, actual },
    );
  }

  private onBytesWritten(): void {
    this.hasher?.advance(this.frontier());
  }

  /** Bytes written in order from the start; a partly fetched range-less object does not count. */
  private frontier(): number {
    const chunks = this.file.chunks;
    while (this.frontierIdx < chunks.length) {
      const c = chunks[this.frontierIdx];
      if (!c || c.done < c.end - c.start) break;
      this.frontierIdx++;
    }
    const c = chunks[this.frontierIdx];
    if (!c) return this.file.size;
    return this.sourceOf(c).rangeable ? c.start + c.done : c.start;
  }

  private async verifyAndFinish(): Promise<void> {
    const { ctx, file } = this;
    const fh = this.requireFh();
    const hasher = this.hasher;
    if (!hasher) throw new Error("no hasher");
    await this.requireWriter().close();
    await hasher.close();
    // Cheap and early: an HTML error page or a truncated upload never gets its final name.
    const header = await readGgufHeader(fh);
    if (!header.ok) {
      await this.discard();
      throw downloadError("storage", "invalid_gguf", `${basename(file.finalPath)} is not a GGUF file (${header.why}). The file was deleted.`, { path: file.finalPath });
    }
    await fh.close();
    this.fh = undefined;
    // No fdatasync first: the file is marked as written on this boot until the queue has synced it.
    await rename(this.partial, file.finalPath);
    const { mtimeMs } = await stat(file.finalPath);
    const fromHub = file.sources.every((s) => s.sha256);
    ctx.library.recordVerifiedFile({
      path: file.finalPath,
      modelId: ctx.downloadId,
      size: file.size,
      // A joined file keeps each part's digest, in order.
      sha256: hasher.digests.join(","),
      sha256Source: fromHub ? "hub" : "local",
      mtimeMs,
      unsyncedBoot: bootId(),
    });
    ctx.store.markFileVerified(ctx.downloadId, file.idx);
    file.verified = true;
    ctx.durability.add(file.finalPath);
  }

  /** Deletes the partial and forgets its progress, so a retry starts clean. */
  private async discard(): Promise<void> {
    this.discarded = true;
    await this.writer?.close();
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    await unlink(this.partial).catch(() => undefined);
    this.resetProgress();
  }

  private fail(error: unknown): void {
    if (this.firstError === null || (this.firstError instanceof AbortedError && !(error instanceof AbortedError))) {
      this.firstError = error;
    }
    if (!this.internal.signal.aborted) this.internal.abort();
  }

  /** Records written bytes (no fsync): enough after a crash of this process, not of the machine. */
  private flush(): Promise<void> {
    return this.persist("flush", async () => {
      const changed = this.file.chunks.filter((c) => this.persisted.get(c.idx) !== c.done).map((c) => ({ idx: c.idx, done: c.done }));
      if (changed.length === 0) return;
      this.ctx.store.saveProgress(this.ctx.downloadId, this.file.idx, changed, bootId());
      for (const c of changed) this.persisted.set(c.idx, c.done);
    });
  }

  /** fdatasync, then record what it covered: the progress a reboot cannot take back. */
  private sync(): Promise<void> {
    return this.persist("sync", async (fh) => {
      const snapshot = this.file.chunks.filter((c) => this.synced.get(c.idx) !== c.done).map((c) => ({ idx: c.idx, synced: c.done }));
      if (snapshot.length === 0) return;
      await fh.datasync();
      if (this.discarded) return;
      this.ctx.store.saveSynced(this.ctx.downloadId, this.file.idx, snapshot);
      for (const c of snapshot) this.synced.set(c.idx, c.synced);
    });
  }

  /** One persistence step at a time; a request already queued covers later ones. */
  private persist(kind: "flush" | "sync", step: (fh: FileHandle) => Promise<void>): Promise<void> {
    if (this.queued[kind] || this.discarded) return this.flushChain;
    this.queued[kind] = true;
    this.flushChain = this.flushChain.then(async () => {
      this.queued[kind] = false;
      const fh = this.fh;
      if (fh && !this.discarded) await step(fh);
    });
    return this.flushChain;
  }

  private chunksOf(source: SourceRow): Chunk[] {
    return this.file.chunks.filter((c) => c.start >= source.offset && c.start < source.offset + source.size);
  }

  private sourceOf(chunk: Chunk): SourceRow {
    const source = this.file.sources.find((s) => chunk.start >= s.offset && chunk.start < s.offset + s.size);
    if (!source) throw new Error(`chunk ${chunk.idx} outside every source`);
    return source;
  }

  private requireWriter(): FileWriter {
    if (!this.writer) throw new AbortedError();
    return this.writer;
  }

  private requireFh(): FileHandle {
    if (!this.fh) throw new AbortedError();
    return this.fh;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
