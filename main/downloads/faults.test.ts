import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DownloadErrorSchema } from "../../app/contract/downloads-api";
import { isLoadable } from "./library";
import { splitModel, useEmulator } from "./testing/harness";

const t = useEmulator();
const REPO = "unsloth/MiniMax-M2-GGUF";

function model(quant = "UD-IQ1_S", parts = 2, bytes = 1_000_000) {
  const files = splitModel(quant, parts, bytes);
  t.emulator.addRepo({ repo: REPO, files });
  return files;
}

function sameBytes(path: string, file: ReturnType<typeof splitModel>[number] | undefined): boolean {
  return !!file && readFileSync(path).equals(file.content.read(0, file.content.size));
}

describe("recovering from a misbehaving network", () => {
  it("survives resets, 500s, a wrong Content-Length, a stale 416 and a failing resolve without re-fetching bytes", async () => {
    const files = model();
    const e = t.emulator;
    e.inject({ on: "cdn", times: 3, fault: { kind: "reset", afterBytes: 100_000 } });
    e.inject({ on: "cdn", times: 3, fault: { kind: "status", status: 500 } });
    e.inject({ on: "cdn", times: 1, fault: { kind: "wrong-length", declare: "more" } });
    e.inject({ on: "cdn", times: 1, fault: { kind: "wrong-length", declare: "less" } });
    e.inject({ on: "cdn", times: 1, fault: { kind: "range-416" } });
    e.inject({ on: "resolve", times: 1, fault: { kind: "status", status: 502 } });
    const { downloader, models } = t.setup();
    const info = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:UD-IQ1_S`, destDir: models })).id);
    expect(info.error).toBeNull();
    expect(info.state).toBe("completed");
    for (const [i, f] of info.files.entries()) {
      expect(sameBytes(f.path, files[i])).toBe(true);
      expect(isLoadable(t.db, f.path)).toBe(true);
    }
    // Bytes that arrived before a failure are kept: beyond the one-byte probes, nothing is fetched twice.
    expect(e.bytesServed()).toBeLessThanOrEqual(2_000_000 + 16);
    expect(e.requests.filter((r) => r.origin === "cdn" && r.status === 416)).toHaveLength(1);
  });

  it("re-probes when a range request gets a whole-file 200, then carries on", async () => {
    const files = model("Q3_K_M", 1, 800_000);
    t.emulator.inject({ on: "cdn", times: 1, fault: { kind: "ignore-range" } });
    const { downloader, models } = t.setup();
    const info = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:Q3_K_M`, destDir: models })).id);
    expect(info.state).toBe("completed");
    expect(sameBytes(info.primaryPath, files[0])).toBe(true);
    expect(t.emulator.requests.filter((r) => r.origin === "cdn" && r.status === 200)).toHaveLength(1);
  });

  it("drops a stalled connection after the idle timeout and retries it", async () => {
    model();
    t.emulator.inject({ on: "cdn", times: 1, fault: { kind: "stall", afterBytes: 50_000 } });
    const { downloader, models } = t.setup({ idleTimeoutMs: 300 });
    const began = Date.now();
    const info = await downloader.wait((await downloader.start({ ref: `hf:${REPO}:UD-IQ1_S`, destDir: models })).id);
    expect(info.state).toBe("completed");
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
  });

  it("waits out a 429 for as long as Retry-After says", async () => {
    model("Q8_0", 1, 300_000);
    const { downloader, models } = t.setup();
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q8_0`, destDir: models });
    // Injected after start so the probes pass and a range request meets it.
    t.emulator.inject({ on: "cdn", times: 1, fault: { kind: "status", status: 429, retryAfterS: 1 } });
    const began = Date.now();
    const info = await downloader.wait(id);
    expect(info.state).toBe("completed");
    expect(t.emulator.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });

  it("re-resolves when the CDN's signed URLs expire mid-download", async () => {
    const files = model("Q4_K_M", 1, 1_000_000);
    t.emulator.throttle(1_000_000);
    const { downloader, models } = t.setup({ chunkBytes: 64 * 1024 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q4_K_M`, destDir: models });
    const resolvesBefore = t.emulator.requests.filter((r) => r.url.includes("/resolve/")).length;
    await new Promise((r) => setTimeout(r, 150));
    t.emulator.rotateSignatures();
    t.emulator.throttle(null);
    const info = await downloader.wait(id);
    expect(info.state).toBe("completed");
    expect(sameBytes(info.primaryPath, files[0])).toBe(true);
    expect(t.emulator.requests.filter((r) => r.origin === "cdn" && r.status === 403).length).toBeGreaterThan(0);
    expect(t.emulator.requests.filter((r) => r.url.includes("/resolve/")).length).toBeGreaterThan(resolvesBefore);
  });

  it("gives up with a typed error when the server keeps failing, and resumes later", async () => {
    model("Q6_K", 1, 400_000);
    const { downloader, models } = t.setup({ maxRetries: 2 });
    const { id } = await downloader.start({ ref: `hf:${REPO}:Q6_K`, destDir: models });
    t.emulator.inject({ on: "cdn", times: 1000, fault: { kind: "status", status: 503 } });
    const failed = await downloader.wait(id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatchObject({ code: "internal", details: { reason: "http", status: 503 } });
    // The strict wire schema reads what the downloader really produced.
    expect(DownloadErrorSchema.parse(failed.error)).toEqual(failed.error);
    t.emulator.clearFaults();
    await downloader.resume(id);
    expect((await downloader.wait(id)).state).toBe("completed");
  });

  it("downloads from a plain URL without range support on one connection, restarting it after a reset", async () => {
    const files = model("Q2_K", 1, 600_000);
    const path = files[0]?.path ?? "";
    t.emulator.inject({ on: "cdn", times: 1, fault: { kind: "reset", afterBytes: 200_000 } });
    const { downloader, models } = t.setup();
    const info = await downloader.wait((await downloader.start({ ref: t.emulator.plainUrl(REPO, path, false), destDir: models })).id);
    expect(info.state).toBe("completed");
    expect(sameBytes(info.primaryPath, files[0])).toBe(true);
    expect(isLoadable(t.db, info.primaryPath)).toBe(true);
    expect(t.db.prepare("SELECT sha256_source FROM library_files").pluck().get()).toBe("local");
  });

  it("reports offline when nothing listens at the endpoint", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const { models } = t.setup();
    const { makeDownloader } = await import("./testing/harness");
    const offline = makeDownloader(t.db, `http://127.0.0.1:${port}`);
    await expect(offline.start({ ref: `hf:${REPO}:Q8_0`, destDir: models })).rejects.toMatchObject({
      code: "internal",
      details: { reason: "offline" },
    });
  });
});
