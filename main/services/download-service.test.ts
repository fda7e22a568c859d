import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent } from "../../app/contract";
import { corruptCases, writeCorpusBase } from "../../node/gguf/corrupt-corpus";
import { ensureSplitTestModel } from "../../node/gguf/m2-test-models";
import { HubClient } from "../downloads";
import { FAST_SETTINGS, openTestDb, tempDir, until } from "../downloads/testing/harness";
import { bufferContent, ggufBytes } from "../downloads/testing/content";
import { HubEmulator } from "../downloads/testing/hub-emulator";
import type { Db } from "../storage/database";
import { DownloadService } from "./download-service";

// Real SQLite, the real Hub emulator over HTTP, and a real loadable split minimax-m2 test model.
const REPO = "m2d-test/MiniMax-M2-GGUF";
let emulator: HubEmulator;
let parts: string[];

beforeAll(async () => {
  emulator = await HubEmulator.start();
  parts = await ensureSplitTestModel("chat", 3);
  emulator.addRepo({
    repo: REPO,
    files: parts.map((p, i) => ({ path: `Q8_0/MiniMax-M2-Q8_0-0000${i + 1}-of-00003.gguf`, content: bufferContent(readFileSync(p)) })),
  });
  emulator.addRepo({ repo: "m2d-test/Gated-GGUF", gated: true, files: [{ path: "Gated-Q4_K_M.gguf", content: bufferContent(ggufBytes(300_000)) }] });
}, 120_000);
afterAll(() => emulator.close());

let dir: ReturnType<typeof tempDir>;
let db: Db;
let events: AppEvent[];
const services: DownloadService[] = [];

function service(): DownloadService {
  db ??= openTestDb(join(dir.path, "db.sqlite"));
  const s = new DownloadService({
    db, dataDir: dir.path, publish: (e) => events.push(e), hub: new HubClient({ endpoint: emulator.endpoint }), settings: FAST_SETTINGS,
  });
  services.push(s);
  return s;
}

function fresh(): void {
  dir = tempDir("m2d-dlsvc-");
  events = [];
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  db?.close();
  db = undefined as unknown as Db;
  dir.remove();
  emulator.throttle(null);
  emulator.clearFaults();
});

describe("DownloadService", () => {
  it("lists a verified model whose header the validator now refuses as invalid, with the reason, and not loadable", async () => {
    fresh();
    const svc = service();
    const norms = (await corruptCases()).find((c) => c.name === "f32-norm-retyped-i32")!;
    const valid = await writeCorpusBase(dir.path);
    const added = await svc.importModel(valid, "reference");
    expect(added).toMatchObject({ ready: true, status: "ready" });
    // What an older app verified: the same file with a norm re-typed I32 (same size), recorded as it is now.
    copyFileSync(await norms.make(await mkdtemp(join(dir.path, "bad-"))), valid);
    const st = statSync(valid);
    db.prepare("UPDATE library_files SET size = ?, mtime_ms = ? WHERE path = ?").run(st.size, Math.trunc(st.mtimeMs), valid);
    const [listed] = await svc.listLibrary();
    expect(listed).toMatchObject({ ready: false, status: "invalid", invalid: { reason: "tensor_type_invalid" } });
    expect(listed?.invalid?.message).toContain("blk.0.attn_norm.weight is stored as I32");
  });

  it("adds a repo to the catalog with sizes, parts, a fit verdict and a recommended quant, kept across restarts", async () => {
    fresh();
    const svc = service();
    const entry = await svc.addToCatalog(`hf:${REPO}`);
    expect(entry.added).toBe(true);
    const q = entry.quants.find((x) => x.quant === "Q8_0");
    const total = parts.reduce((s, p) => s + readFileSync(p).length, 0);
    expect(q).toMatchObject({ ref: `hf:${REPO}:Q8_0`, totalBytes: total, parts: 3, recommended: true });
    // A few MB fit any machine; without a reported GPU the planner places them in RAM.
    expect(q?.fit.verdict).toBe("ram");
    // Shipped catalog entries are there too, with no sizes until looked up.
    expect((await svc.catalog()).some((e) => e.repo === "unsloth/MiniMax-M2-GGUF" && !e.added)).toBe(true);
    expect((await service().catalog()).find((e) => e.repo === REPO)?.quants[0]?.totalBytes).toBe(total);
    svc.removeFromCatalog(REPO);
    expect((await svc.catalog()).some((e) => e.repo === REPO)).toBe(false);
  });

  it("flags a gated repo from its look-up, before any download, with its Hub page; lists added repos first, the latest on top", async () => {
    fresh();
    const svc = service();
    const open = await svc.addToCatalog(`hf:${REPO}`);
    expect(open).toMatchObject({ gated: null, repoPage: `${emulator.endpoint}/${REPO}` });
    const gated = await svc.addToCatalog("hf:m2d-test/Gated-GGUF");
    expect(gated).toMatchObject({ gated: "manual", repoPage: `${emulator.endpoint}/m2d-test/Gated-GGUF` });
    // Kept with the catalog: a later start lists it gated before any look-up.
    expect((await service().catalog()).find((e) => e.repo === "m2d-test/Gated-GGUF")?.gated).toBe("manual");
    const order = (await svc.catalog()).map((e) => e.repo);
    expect(order.slice(0, 2)).toEqual(["m2d-test/Gated-GGUF", REPO]);
    expect(order.indexOf("unsloth/MiniMax-M2-GGUF")).toBeGreaterThan(1);
    // A catalog refresh looks the gating up for every repo it lists.
    const { entries } = await svc.refreshCatalog();
    expect(entries.find((e) => e.repo === "m2d-test/Gated-GGUF")?.gated).toBe("manual");
    expect(entries.find((e) => e.repo === REPO)?.gated).toBeNull();
  });

  it("rejects a missing quant and a gated repo with clear typed errors", async () => {
    fresh();
    const svc = service();
    await expect(svc.addToCatalog(`hf:${REPO}:IQ1_S`)).rejects.toMatchObject({ code: "not_found", message: expect.stringContaining("available: Q8_0") });
    await expect(svc.startDownload("hf:m2d-test/Gated-GGUF:Q4_K_M")).rejects.toMatchObject({ message: expect.stringContaining("accept the license on the Hub") });
    await expect(svc.startDownload("not a ref")).rejects.toMatchObject({ code: "bad_request" });
  });

  it("settings apply at once and persist: a token opens a gated repo, limits reach the downloader, a bad endpoint changes nothing", async () => {
    fresh();
    emulator.grantToken("hf_e2e_token");
    const svc = service();
    await expect(svc.startDownload("hf:m2d-test/Gated-GGUF:Q4_K_M")).rejects.toMatchObject({ message: expect.stringContaining("accept the license on the Hub") });
    const view = svc.updateSettings({ hub: { token: "hf_e2e_token" }, downloads: { connectionsPerFile: 2, bandwidthLimitBps: 5_000_000 }, library: { scanDirs: ["/opt/models"] } });
    expect(view).toMatchObject({ hub: { hasToken: true, endpoint: null }, downloads: { connectionsPerFile: 2, parallelFiles: 2, bandwidthLimitBps: 5_000_000 }, library: { scanDirs: ["/opt/models"] } });
    const started = await svc.startDownload("hf:m2d-test/Gated-GGUF:Q4_K_M");
    expect((await svc.downloader.wait(started.id)).state).toBe("completed");
    // The token is never sent back to a UI.
    expect(JSON.stringify(view)).not.toContain("hf_e2e_token");

    expect(() => svc.updateSettings({ hub: { endpoint: "ftp://example.com" } })).toThrow(/not an http\(s\) URL/);
    expect(svc.settingsView().hub.effectiveEndpoint).toBe(emulator.endpoint);
    // The next launch (a service with the app's own Hub client) reads what was stored.
    const next = new DownloadService({ db, dataDir: dir.path, publish: () => undefined });
    services.push(next);
    expect(next.settingsView()).toMatchObject({ hub: { hasToken: true }, downloads: { connectionsPerFile: 2 } });
    svc.updateSettings({ hub: { token: null } });
    expect(svc.settingsView().hub.hasToken).toBe(false);
  });

  it("downloads a split model with throttled progress events, lists it in the library with its header, marks use, deletes and says what it freed", async () => {
    fresh();
    const svc = service();
    const settled: string[] = [];
    svc.onSettled((d) => settled.push(d.state));
    emulator.throttle(2_000_000);
    const started = await svc.startDownload(`hf:${REPO}:Q8_0`);
    await svc.downloader.wait(started.id);
    const progress = events.filter((e): e is Extract<AppEvent, { type: "downloads.progress" }> => e.type === "downloads.progress");
    const last = progress.at(-1)?.download;
    expect(last).toMatchObject({ state: "completed", bytesDone: started.totalBytes });
    expect(last?.files.every((f) => f.verified)).toBe(true);
    expect(events.some((e) => e.type === "library.changed")).toBe(true);
    expect(settled).toEqual(["completed"]);

    const [model] = await svc.listLibrary();
    // Named Q8_0 by its Hub folder and file names (what `owner/repo:Q8_0` refers to); its header says F32, and the UI shows that.
    expect(model).toMatchObject({ quant: "Q8_0", fileQuant: "F32", parts: 3, ready: true, status: "ready", architecture: "minimax-m2", family: "minimax-m2", familyName: "MiniMax-M2", external: false, lastUsedAt: null });
    expect(model?.expertCount).toBeGreaterThan(0);
    expect(model?.fit.verdict).toBe("ram");
    expect(svc.listDownloads()[0]?.state).toBe("completed");

    svc.markUsed(model!.path);
    expect((await svc.listLibrary())[0]?.lastUsedAt).toBeGreaterThan(0);

    const { freedBytes, deletedFiles } = await svc.deleteModel(model!.id);
    expect(deletedFiles).toBe(true);
    expect(freedBytes).toBe(started.totalBytes);
    expect(existsSync(model!.path)).toBe(false);
    expect(await svc.listLibrary()).toEqual([]);
    expect(svc.listDownloads()).toEqual([]);
  });

  it("publishes at most 4 progress events per second per download", async () => {
    fresh();
    const svc = service();
    emulator.throttle(600_000);
    const t0 = Date.now();
    const { id } = await svc.startDownload(`hf:${REPO}:Q8_0`);
    await svc.downloader.wait(id);
    const seconds = (Date.now() - t0) / 1000;
    const progress = events.filter((e) => e.type === "downloads.progress" && e.download.state === "running");
    expect(seconds).toBeGreaterThan(0.5);
    // Two state changes (started, completed) are not throttled; the rest are.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    expect(progress.length).toBeGreaterThan(1);
  });

  it("resumes at start what was downloading when the app stopped", async () => {
    fresh();
    const first = service();
    emulator.throttle(300_000);
    const { id } = await first.startDownload(`hf:${REPO}:Q8_0`);
    await until(() => (first.downloader.get(id)?.bytesDone ?? 0) > 100_000, 10_000, "some progress");
    await first.close(); // like a quit: the download stays "running" in SQLite
    emulator.throttle(null);
    const second = service();
    expect(await second.resumeInterrupted()).toBe(1);
    const done = await second.downloader.wait(id);
    expect(done.state).toBe("completed");
    expect((await second.listLibrary())[0]?.ready).toBe(true);
  });

  it("imports by reference (delete only forgets) and by copy, and a scan finds a GGUF put in the models folder", async () => {
    fresh();
    const svc = service();
    const byRef = await svc.importModel(parts[0]!, "reference");
    expect(byRef).toMatchObject({ ready: true, external: true, parts: 3, path: parts[0] });
    await expect(svc.importModel(parts[0]!, "reference")).rejects.toMatchObject({ code: "bad_request" });
    expect(await svc.deleteModel(byRef.id)).toEqual({ freedBytes: 0, deletedFiles: false });
    expect(existsSync(parts[0]!)).toBe(true);

    const copied = await svc.importModel(parts[0]!, "copy");
    expect(copied).toMatchObject({ ready: true, external: false, path: join(svc.modelsDir, basename(parts[0]!)) });

    const dropped = join(svc.modelsDir, "hand", "Dropped-Q4_K_M.gguf");
    await mkdir(join(svc.modelsDir, "hand"), { recursive: true });
    writeFileSync(dropped, ggufBytes(200_000));
    writeFileSync(join(svc.modelsDir, "hand", "junk.gguf"), "not a gguf");
    expect(await svc.scan()).toBe(1);
    expect(await svc.scan()).toBe(0);
    const lib = await svc.listLibrary();
    expect(lib.map((m) => m.path).sort()).toEqual([copied.path, dropped].sort());

    // A configured scan folder (another app's cache) is registered by reference.
    const cache = join(dir.path, "lmstudio");
    await mkdir(cache);
    writeFileSync(join(cache, "Other-Q2_K.gguf"), ggufBytes(150_000));
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('library', ?, 0)").run(JSON.stringify({ scanDirs: [cache] }));
    expect(await svc.scan()).toBe(1);
    expect((await svc.listLibrary()).find((m) => m.path === join(cache, "Other-Q2_K.gguf"))?.external).toBe(true);

    await expect(svc.importModel(join(dir.path, "nope.gguf"), "reference")).rejects.toMatchObject({ code: expect.any(String) });
  });
});
