import { createHash, randomUUID } from "node:crypto";
import { detectModelFamily, familyFromName, type ModelFamilyId } from "../../app/family";
import { constants, createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { AppError, modelProblem, type AppEvent, type ModelProblem } from "../../app/contract";
import {
  asDownloadError,
  type CatalogEntry,
  type CatalogQuantView,
  type DownloadError,
  type DownloadSettingsPatch,
  type DownloadSettingsView,
  type DownloadView,
  type LibraryModel,
} from "../../app/contract/downloads-api";
import { readSetting, writeSetting } from "../storage/settings-table";
import type { GpuInfo } from "../../app/planner";
import { inspectModel } from "../../node/gguf/report";
import { parseSplitName } from "../../node/gguf/split";
import { validateModel } from "../../node/gguf/validate";
import {
  createHubClient,
  Downloader,
  formatModelRef,
  HubFileCache,
  isLoadable,
  Library,
  parseModelRef,
  readDownloadSettings,
  readHubSettings,
  type DownloadInfo,
  type DownloadSettings,
  type HubClient,
} from "../downloads";
import { catalogView, catalogWithAdded, lookUpRepo, readAddedEntries, refreshCatalog, writeAddedEntries, type CatalogRepo } from "../downloads/catalog";
import { syncFileAndDirectory } from "../downloads/durability";
import { planDownload } from "../downloads/plan";
import { readLibrarySettings } from "../downloads/settings";
import { DownloadStore } from "../downloads/store";
import type { Db } from "../storage/database";
import { catalogQuantFit, fitOf, recommendQuant, thisMachine, type Machine } from "./model-fit";
import { plannerModel } from "../../node/gguf/planner-model";

export interface DownloadServiceOptions {
  db: Db;
  dataDir: string;
  publish: (event: AppEvent) => void;
  /** The GPUs fit verdicts plan for: the loaded model's, else the engine's probe of its backend. */
  gpus?: () => Promise<GpuInfo[]>;
  /** The model the engine has loaded, which cannot be deleted under it. */
  loadedPath?: () => string | null;
  /** Tests pass the emulator's client; else endpoint and token from settings, HF_ENDPOINT, HF_TOKEN. */
  hub?: HubClient;
  settings?: Partial<DownloadSettings>;
  log?: (level: string, message: string) => void;
}

/** At most this many progress events per second per download reach the UIs. */
const PROGRESS_EVENTS_PER_SECOND = 4;
const ACTIVE = new Set(["queued", "running"]);
const SCAN_DEPTH = 4;

interface HeaderInfo {
  key: string;
  architecture: string | null;
  family: ModelFamilyId | null;
  familyName: string | null;
  /** The header's own quantization (general.file_type), not the folder or file name's. */
  quant: string | null;
  contextLength: number | null;
  expertCount: number | null;
  expertUsedCount: number | null;
  fit: LibraryModel["fit"];
  /** The header no longer validates: why. */
  invalid: ModelProblem | null;
}

/** The catalog, the downloads and the library behind the contract's catalog.*, downloads.* and library.* methods. */
export class DownloadService {
  readonly hub: HubClient;
  readonly downloader: Downloader;
  private readonly library: Library;
  private readonly cache: HubFileCache;
  private readonly store: DownloadStore;
  private readonly lastProgress = new Map<string, number>();
  private readonly headers = new Map<string, HeaderInfo>();
  private knownGpus: GpuInfo[] = [];
  private readonly settledListeners = new Set<(download: DownloadView) => void>();

  constructor(private readonly options: DownloadServiceOptions) {
    const { db } = options;
    this.hub = options.hub ?? createHubClient(readHubSettings(db));
    this.downloader = new Downloader({ db, hub: this.hub, settings: { ...readDownloadSettings(db), ...options.settings } });
    this.library = new Library(db);
    this.cache = new HubFileCache(db);
    this.store = new DownloadStore(db);
    this.downloader.on("progress", (info) => this.onProgress(info));
    this.downloader.on("state", (info) => this.onState(info));
  }

  // --- settings ------------------------------------------------------------

  settingsView(): DownloadSettingsView {
    const { db, dataDir } = this.options;
    const downloads = readDownloadSettings(db);
    return {
      hub: { endpoint: readHubSettings(db).endpoint ?? null, effectiveEndpoint: this.hub.endpoint, hasToken: this.hub.hasToken },
      library: readLibrarySettings(db, dataDir),
      downloads: { connectionsPerFile: downloads.connectionsPerFile, parallelFiles: downloads.parallelFiles, bandwidthLimitBps: downloads.bandwidthLimitBps },
    };
  }

  /** Stored as settings rows, and applied at once: the Hub client and the downloader are live. */
  updateSettings(patch: DownloadSettingsPatch): DownloadSettingsView {
    const { db } = this.options;
    if (patch.hub) {
      const current = readHubSettings(db);
      const next = {
        ...current,
        ...(patch.hub.endpoint !== undefined ? { endpoint: patch.hub.endpoint ?? undefined } : {}),
        ...(patch.hub.token !== undefined ? { token: patch.hub.token ?? undefined } : {}),
      };
      // An untouched endpoint stays what requests use now; a bad one throws before anything is stored.
      this.hub.configure({ ...next, endpoint: patch.hub.endpoint === undefined ? this.hub.endpoint : next.endpoint });
      writeSetting(db, "hub", next);
    }
    if (patch.library) writeSetting(db, "library", { ...(readSetting(db, "library") as object | undefined), ...patch.library });
    if (patch.downloads) {
      writeSetting(db, "downloads", { ...(readSetting(db, "downloads") as object | undefined), ...patch.downloads });
      this.downloader.updateSettings(patch.downloads);
    }
    return this.settingsView();
  }

  get modelsDir(): string {
    return readLibrarySettings(this.options.db, this.options.dataDir).modelsDir;
  }

  /** Resumes what was downloading when the app last stopped (quit, crash or reboot). */
  async resumeInterrupted(): Promise<number> {
    const resumed = await this.downloader.resumeInterrupted();
    if (resumed.length > 0) this.log("info", `Resumed ${resumed.length} interrupted download(s).`);
    return resumed.length;
  }

  /** Called with each download that completed or failed: the system notification hangs off this. */
  onSettled(listener: (download: DownloadView) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  // --- catalog -------------------------------------------------------------

  /** Async so that planning many quants for the first time yields to the event loop between them. */
  async catalog(): Promise<CatalogEntry[]> {
    const machine = await this.machine();
    const added = readAddedEntries(this.options.db);
    const repos: CatalogEntry[] = [];
    for (const repo of catalogView(this.cache, catalogWithAdded(added))) repos.push(await this.catalogEntry(repo, machine, added));
    const urls = added.flatMap((a): CatalogEntry[] =>
      "url" in a
        ? [{
            repo: a.url, publisher: new URL(a.url).host, description: "A plain URL you added.", added: true, ...urlFamily(a.fileName), fetchedAt: null, gated: null, repoPage: null,
            quants: [{ quant: a.fileName, ref: a.url, known: false, totalBytes: null, parts: 1, fit: catalogQuantFit(null, machine), recommended: false }],
          }]
        : [],
    );
    // The user's own entries first, the latest added at the top; then the shipped catalog.
    const addedAt = new Map(added.map((a, i) => ["repo" in a ? a.repo.toLowerCase() : a.url, i]));
    const order = (e: CatalogEntry) => (e.added ? -1 - (addedAt.get(e.repo.toLowerCase()) ?? addedAt.get(e.repo) ?? 0) : 0);
    return [...repos, ...urls].map((e, i) => ({ e, i })).sort((a, b) => order(a.e) - order(b.e) || a.i - b.i).map(({ e }) => e);
  }

  async refreshCatalog(): Promise<{ entries: CatalogEntry[]; errors: Array<{ repo: string; error: DownloadError }> }> {
    const results = await refreshCatalog(this.hub, this.cache, catalogWithAdded(readAddedEntries(this.options.db)));
    const errors = results.filter((r) => !r.ok).map((r) => ({ repo: r.repo, error: asDownloadError(AppError.from(r.error).toData()) }));
    return { entries: await this.catalog(), errors };
  }

  /** Adds a repo (looked up live, so a typo or a gated repo fails here) or a plain URL to the catalog. */
  async addToCatalog(input: string): Promise<CatalogEntry> {
    const ref = parseModelRef(input, this.hub.endpoint);
    const added = readAddedEntries(this.options.db);
    let key: string;
    if (ref.kind === "url") {
      key = ref.url;
      if (!added.some((a) => "url" in a && a.url === ref.url)) added.push({ url: ref.url, fileName: ref.fileName });
    } else {
      key = ref.repo;
      // With a quant or file, the plan checks it exists (and says which quants do); else list the repo.
      const quant = ref.quant || ref.file ? ((await planDownload(this.hub, this.cache, ref)).quant ?? undefined) : undefined;
      if (!ref.quant && !ref.file) await lookUpRepo(this.hub, this.cache, ref.repo, ref.revision);
      else if (this.cache.gating(ref.repo) === undefined) await lookUpRepo(this.hub, this.cache, ref.repo, ref.revision).catch(() => undefined);
      const existing = added.find((a): a is Extract<typeof a, { repo: string }> => "repo" in a && a.repo.toLowerCase() === ref.repo.toLowerCase());
      if (!existing) added.push(quant ? { repo: ref.repo, quant } : { repo: ref.repo });
      else if (quant && !existing.quant) existing.quant = quant;
    }
    writeAddedEntries(this.options.db, added);
    const entry = (await this.catalog()).find((e) => e.repo.toLowerCase() === key.toLowerCase());
    if (!entry) throw new AppError("internal", `Added ${key} but the catalog does not list it.`);
    return entry;
  }

  removeFromCatalog(repo: string): void {
    const added = readAddedEntries(this.options.db);
    const kept = added.filter((a) => ("repo" in a ? a.repo : a.url).toLowerCase() !== repo.toLowerCase());
    if (kept.length === added.length) throw new AppError("not_found", `${repo} is not a repo you added (shipped entries stay).`, { repo });
    writeAddedEntries(this.options.db, kept);
  }

  // --- downloads -----------------------------------------------------------

  listDownloads(): DownloadView[] {
    return this.downloader.list().map(downloadView);
  }

  async startDownload(input: string): Promise<DownloadView> {
    return downloadView(await this.downloader.start({ ref: input, destDir: this.modelsDir }));
  }

  async pauseDownload(id: string): Promise<DownloadView> {
    return downloadView(await this.downloader.pause(id));
  }

  async resumeDownload(id: string): Promise<DownloadView> {
    return downloadView(await this.downloader.resume(id));
  }

  async cancelDownload(id: string): Promise<void> {
    await this.downloader.cancel(id);
  }

  /** Clears a settled download from the list: a completed one keeps its model, any other loses its partials. */
  async dismissDownload(id: string): Promise<void> {
    const info = this.requireDownload(id);
    if (ACTIVE.has(info.state)) throw new AppError("bad_request", "The download is still running: pause or cancel it first.", { id });
    if (info.state === "completed") {
      this.store.delete(id);
      // "cancelled" is how every UI learns a download left the list (as after downloads.cancel).
      this.options.publish({ type: "downloads.progress", download: { ...downloadView(info), state: "cancelled" } });
    } else await this.downloader.cancel(id);
  }

  // --- library -------------------------------------------------------------

  /** The models listLibrary lists, from the database alone (no file read): the API server names models by them on every request. */
  listLibraryPaths(): Array<Pick<LibraryModel, "repo" | "quant" | "path">> {
    return this.listedRows().map((row) => ({ repo: row.repo, quant: row.quant, path: row.primaryPath }));
  }

  /** A model still downloading is shown in the downloads panel, not in the library. */
  private listedRows() {
    const downloading = new Set(this.downloader.list().filter((d) => d.state !== "completed").map((d) => d.id));
    return this.library.list().filter((m) => !downloading.has(m.id));
  }

  async listLibrary(): Promise<LibraryModel[]> {
    const machine = await this.machine();
    const models: LibraryModel[] = [];
    for (const row of this.listedRows()) {
      const onDisk = existsSync(row.primaryPath);
      const header = onDisk ? await this.headerInfo(row.primaryPath, machine) : null;
      const verified = onDisk && isLoadable(this.options.db, row.primaryPath);
      const ready = verified && !header?.invalid;
      const status = ready ? "ready" : verified ? "invalid" : !onDisk ? "missing" : !row.verified ? "incomplete" : this.library.lostToReboot(row.id) ? "unsynced" : "changed";
      models.push({
        id: row.id, repo: row.repo, quant: row.quant, fileQuant: header?.quant ?? null, path: row.primaryPath, totalBytes: row.totalBytes, parts: row.fileCount,
        ready, status,
        architecture: header?.architecture ?? null, family: header?.family ?? null, familyName: header?.familyName ?? null,
        contextLength: header?.contextLength ?? null,
        expertCount: header?.expertCount ?? null, expertUsedCount: header?.expertUsedCount ?? null,
        fit: header?.fit ?? { verdict: "unknown", detail: "The model's files are not on disk." },
        lastUsedAt: row.lastUsedAt, external: row.external,
        ...(header?.invalid ? { invalid: header.invalid } : {}),
      });
    }
    return models;
  }

  /** Deletes a model's files (or only forgets a model imported by reference) and says how much space that freed. */
  async deleteModel(id: string): Promise<{ freedBytes: number; deletedFiles: boolean }> {
    const model = this.library.list().find((m) => m.id === id);
    if (!model) throw new AppError("not_found", "That model is not in the library.", { id });
    const loaded = this.options.loadedPath?.();
    if (loaded && resolve(loaded) === model.primaryPath) {
      throw new AppError("bad_request", "This model is loaded: unload it before deleting it.", { id, path: model.primaryPath });
    }
    const download = this.downloader.get(id);
    if (download && download.state !== "completed") {
      throw new AppError("bad_request", "This model is still downloading: cancel the download instead.", { id });
    }
    const result = await this.library.remove(id);
    if (!result) throw new AppError("not_found", "That model is not in the library.", { id });
    if (download) this.store.delete(id);
    this.headers.delete(model.primaryPath);
    this.options.publish({ type: "library.changed" });
    return result;
  }

  /**
   * Adds a GGUF (all parts of a split one) from anywhere: validated like a download, hashed here
   * (no published hash to compare with), then loadable. By reference the files stay where they are.
   */
  async importModel(path: string, mode: "reference" | "copy"): Promise<LibraryModel> {
    const id = await this.register(resolve(path), mode);
    this.options.publish({ type: "library.changed" });
    const model = (await this.listLibrary()).find((m) => m.id === id);
    if (!model) throw new AppError("internal", "Imported the model but the library does not list it.", { path });
    return model;
  }

  /**
   * Registers GGUFs put in the models folder by hand (the first part of split ones), and those in the
   * configured scan folders (other apps' caches) by reference, so deleting never touches those.
   */
  async scan(): Promise<number> {
    const { modelsDir, scanDirs } = readLibrarySettings(this.options.db, this.options.dataDir);
    let added = 0;
    for (const [dir, mode] of [[modelsDir, "scan"], ...scanDirs.map((d) => [d, "reference"])] as Array<[string, "scan" | "reference"]>) {
      const known = this.library.knownPaths();
      for (const path of (await findGgufs(dir, SCAN_DEPTH)).filter((p) => !known.has(p))) {
        try {
          await this.register(path, mode);
          added++;
        } catch (error) {
          this.log("warn", `Scan skipped ${path}: ${AppError.from(error).message}`);
        }
      }
    }
    if (added > 0) this.options.publish({ type: "library.changed" });
    return added;
  }

  /** Stamps the library model at `path` as just used (after a load). */
  markUsed(path: string): void {
    if (this.library.markUsed(path)) this.options.publish({ type: "library.changed" });
  }

  close(): Promise<void> {
    return this.downloader.close();
  }

  // --- internals -----------------------------------------------------------

  private async catalogEntry(repo: CatalogRepo, machine: Machine, added: ReturnType<typeof readAddedEntries>): Promise<CatalogEntry> {
    const quants: CatalogQuantView[] = [];
    for (const q of repo.quants) {
      const totalBytes = q.totalBytes ?? null;
      if (totalBytes !== null) await new Promise((resolve) => setImmediate(resolve));
      quants.push({ quant: q.quant, ref: q.ref, known: q.known, totalBytes, parts: q.files?.length ?? 0, fit: catalogQuantFit(totalBytes, machine), recommended: false });
    }
    // The planner's pick once sizes are known; the publisher's pick until then.
    const best: CatalogQuantView | undefined = recommendQuant(quants) ?? quants.find((q) => q.totalBytes === null && q.quant === repo.recommended);
    if (best) best.recommended = true;
    const isAdded = added.some((a) => "repo" in a && a.repo.toLowerCase() === repo.repo.toLowerCase());
    const gated = this.cache.gating(repo.repo) ?? null;
    return {
      repo: repo.repo, publisher: repo.publisher, description: repo.description, added: isAdded, family: repo.family, familyName: repo.familyName,
      fetchedAt: repo.fetchedAt, quants, gated, repoPage: this.hub.repoPage(repo.repo),
    };
  }

  private async register(primary: string, mode: "reference" | "copy" | "scan"): Promise<string> {
    await validateModel(primary);
    const report = await inspectModel(primary);
    const sources = report.parts.map((p) => resolve(p.path));
    const existing = this.library.modelAt(sources[0] ?? primary);
    if (existing) throw new AppError("bad_request", "That model is already in the library.", { path: primary, id: existing.id });
    let targets = sources;
    if (mode === "copy") {
      await mkdir(this.modelsDir, { recursive: true });
      targets = sources.map((s) => join(this.modelsDir, basename(s)));
      // COPYFILE_EXCL: never overwrite a file already in the models folder.
      for (const [i, source] of sources.entries()) {
        await copyFile(source, targets[i]!, constants.COPYFILE_EXCL);
        await syncFileAndDirectory(targets[i]!); // on disk before the library calls it verified
      }
    }
    const id = randomUUID();
    const sizes = await Promise.all(targets.map((t) => stat(t)));
    this.library.ensureModel({
      id, repo: null, quant: report.quantization.name, primaryPath: targets[0]!, fileCount: targets.length,
      totalBytes: sizes.reduce((s, st) => s + st.size, 0),
    });
    for (const [i, path] of targets.entries()) {
      const sha256 = await sha256File(path);
      this.library.recordVerifiedFile({ path, modelId: id, size: sizes[i]!.size, sha256, sha256Source: "local", mtimeMs: sizes[i]!.mtimeMs });
    }
    if (!this.library.completeModel(id)) throw new AppError("internal", "Imported files did not all verify.", { path: primary });
    this.library.setExternal(id, mode === "reference");
    return id;
  }

  private async headerInfo(path: string, machine: Machine): Promise<HeaderInfo | null> {
    try {
      const st = await stat(path);
      const key = `${st.size}:${st.mtimeMs}:${machine.gpus.map((g) => g.freeVram).join(",")}`;
      const cached = this.headers.get(path);
      if (cached?.key === key) return cached;
      let report: Awaited<ReturnType<typeof inspectModel>>;
      try {
        report = await inspectModel(path);
      } catch (error) {
        const invalid = modelProblem(AppError.from(error));
        if (!invalid) throw error;
        const refused: HeaderInfo = {
          key, architecture: null, family: null, familyName: null, quant: null, contextLength: null, expertCount: null, expertUsedCount: null,
          fit: { verdict: "unknown", detail: invalid.message }, invalid,
        };
        this.headers.set(path, refused);
        return refused;
      }
      let fit: LibraryModel["fit"];
      try {
        fit = fitOf(plannerModel(report), machine);
      } catch (error) {
        fit = { verdict: "unknown", detail: AppError.from(error).message };
      }
      const family = detectModelFamily({ architecture: report.architecture, name: report.name, chatTemplate: report.chatTemplate, fileName: basename(path) });
      const info: HeaderInfo = {
        key, architecture: report.architecture, family: family.id, familyName: family.displayName, quant: report.quantization.name, contextLength: report.contextLength, expertCount: report.expertCount,
        expertUsedCount: report.expertUsedCount, fit, invalid: null,
      };
      this.headers.set(path, info);
      return info;
    } catch {
      return null;
    }
  }

  /** This machine, with the GPUs last reported (they stay known after an unload). */
  private async machine(): Promise<Machine> {
    const gpus = (await this.options.gpus?.().catch(() => [])) ?? [];
    if (gpus.length > 0) this.knownGpus = gpus;
    return thisMachine(this.knownGpus);
  }

  private requireDownload(id: string): DownloadInfo {
    const info = this.downloader.get(id);
    if (!info) throw new AppError("not_found", "No such download.", { id });
    return info;
  }

  private onProgress(info: DownloadInfo): void {
    const now = Date.now();
    if (now - (this.lastProgress.get(info.id) ?? 0) < 1000 / PROGRESS_EVENTS_PER_SECOND) return;
    this.lastProgress.set(info.id, now);
    this.options.publish({ type: "downloads.progress", download: downloadView(info) });
  }

  private onState(info: DownloadInfo): void {
    const view = downloadView(info);
    this.options.publish({ type: "downloads.progress", download: view });
    if (info.state === "running" || info.state === "queued") return;
    this.lastProgress.delete(info.id);
    if (info.state === "completed" || info.state === "cancelled") this.options.publish({ type: "library.changed" });
    if (info.state === "completed" || info.state === "failed") {
      for (const listener of this.settledListeners) listener(view);
    }
  }

  private log(level: string, message: string): void {
    this.options.log?.(level, message);
  }
}

export function downloadView(info: DownloadInfo): DownloadView {
  return {
    id: info.id, ref: formatModelRef(info.ref), repo: info.repo, quant: info.quant, primaryPath: info.primaryPath, state: info.state,
    error: info.error && asDownloadError(info.error), totalBytes: info.totalBytes, bytesDone: info.bytesDone, speedBps: info.speedBps,
    etaSeconds: info.etaSeconds === null || !Number.isFinite(info.etaSeconds) ? null : Math.max(0, info.etaSeconds),
    files: info.files.map((f) => ({ path: f.path, size: f.size, bytesDone: f.bytesDone, verified: f.verified })),
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** GGUFs under `dir`, split models by their first part only; partial downloads are not GGUFs yet. */
async function findGgufs(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) out.push(...(await findGgufs(path, depth - 1)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith(".gguf")) {
      const split = parseSplitName(path);
      if (!split || split.index === 1) out.push(resolve(path));
    }
  }
  return out;
}

/** A plain-URL entry's model, from its file name. */
function urlFamily(fileName: string): Pick<CatalogEntry, "family" | "familyName"> {
  const family = familyFromName(fileName);
  return { family: family?.id ?? "unknown", familyName: family?.displayName ?? "Unknown model" };
}
