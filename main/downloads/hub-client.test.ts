import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { catalogView, loadCatalog } from "./catalog";
import { HubFileCache } from "./hub-cache";
import { createHubClient, HubClient } from "./hub-client";
import { planDownload } from "./plan";
import { sha256Of } from "./testing/content";
import { splitModel, useEmulator } from "./testing/harness";

const t = useEmulator();
const REPO = "unsloth/MiniMax-M2-GGUF";

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("HubClient against the emulator", () => {
  it("lists files with sizes and LFS sha256 across pages, grouped into quants", async () => {
    const files = [...splitModel("UD-Q2_K_XL", 2, 1000), ...splitModel("Q8_0", 3, 2000)];
    t.emulator.addRepo({ repo: REPO, files });
    t.emulator.treePageSize = 2;
    const hub = new HubClient({ endpoint: t.emulator.endpoint });
    const listed = await hub.listFiles(REPO);
    expect(listed).toHaveLength(5);
    expect(listed.find((f) => f.path === files[0]?.path)).toEqual({ path: files[0]?.path, size: 1000, sha256: files[0] && sha256Of(files[0].content) });
    const quants = await hub.listQuants(REPO);
    expect(quants.map((q) => [q.quant, q.partCount, q.totalBytes])).toEqual([["UD-Q2_K_XL", 2, 2000], ["Q8_0", 3, 6000]]);
  });

  it("probes through the resolve redirect: size, sha256 and range support, without sending the token to the CDN", async () => {
    const files = splitModel("Q8_0", 1, 5000);
    t.emulator.addRepo({ repo: REPO, files });
    const hub = new HubClient({ endpoint: t.emulator.endpoint, token: "hf_x" });
    const probe = await hub.probe(hub.resolveUrl(REPO, "main", files[0]?.path ?? ""));
    expect(probe).toMatchObject({ size: 5000, rangeable: true, linkedSha256: files[0] && sha256Of(files[0].content) });
    expect(probe.url.startsWith(t.emulator.cdnOrigin)).toBe(true);
    expect(t.emulator.requests.map((r) => [r.origin, r.authorization])).toEqual([["hub", "Bearer hf_x"], ["cdn", undefined]]);
  });

  it("waits out a 429 on the API (Retry-After), or reports rate_limited when the wait is too long", async () => {
    t.emulator.addRepo({ repo: REPO, files: splitModel("Q8_0", 1, 1000) });
    t.emulator.inject({ on: "tree", times: 1, fault: { kind: "status", status: 429, retryAfterS: 1 } });
    const began = Date.now();
    expect(await new HubClient({ endpoint: t.emulator.endpoint }).listFiles(REPO)).toHaveLength(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    t.emulator.inject({ on: "tree", times: 1, fault: { kind: "status", status: 429, retryAfterS: 120 } });
    await expect(new HubClient({ endpoint: t.emulator.endpoint, maxRetryAfterMs: 1000 }).listFiles(REPO)).rejects.toMatchObject({
      details: { reason: "rate_limited", retryAfterMs: 120_000 },
    });
  });

  it("maps a missing repo, a missing quant and an ambiguous ref to typed errors", async () => {
    t.emulator.addRepo({ repo: REPO, files: [...splitModel("Q8_0", 1, 1000), ...splitModel("Q4_K_M", 1, 1000)] });
    const hub = new HubClient({ endpoint: t.emulator.endpoint });
    t.setup();
    const cache = new HubFileCache(t.db);
    await expect(planDownload(hub, cache, { kind: "hub", repo: "nobody/nothing", revision: "main" })).rejects.toMatchObject({ code: "not_found" });
    await expect(planDownload(hub, cache, { kind: "hub", repo: REPO, revision: "main", quant: "IQ1_S" })).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringContaining("available: Q4_K_M, Q8_0"),
    });
    await expect(planDownload(hub, cache, { kind: "hub", repo: REPO, revision: "main" })).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringContaining("Choose a quant"),
    });
  });

  it("serves the catalog offline from the last listing cached in SQLite", async () => {
    t.emulator.addRepo({ repo: REPO, files: splitModel("UD-Q2_K_XL", 3, 1000) });
    t.setup();
    const cache = new HubFileCache(t.db);
    const online = new HubClient({ endpoint: t.emulator.endpoint });
    expect(catalogView(cache).find((r) => r.repo === REPO)?.fetchedAt).toBeNull();
    await planDownload(online, cache, { kind: "hub", repo: REPO, revision: "main", quant: "UD-Q2_K_XL" });

    const offline = new HubClient({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    await expect(offline.listFiles(REPO)).rejects.toMatchObject({ details: { reason: "offline" } });
    const plan = await planDownload(offline, cache, { kind: "hub", repo: REPO, revision: "main", quant: "UD-Q2_K_XL" });
    expect(plan.files).toHaveLength(3);
    const view = catalogView(cache).find((r) => r.repo === REPO);
    const quant = view?.quants.find((q) => q.quant === "UD-Q2_K_XL");
    expect(quant).toMatchObject({ known: true, totalBytes: 3000, layout: "split", ref: `hf:${REPO}:UD-Q2_K_XL` });
    expect(quant?.files?.[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(view?.fetchedAt).toBeGreaterThan(0);
  });

  it("takes the endpoint from the setting, then HF_ENDPOINT, then huggingface.co", () => {
    expect(createHubClient({}, {}).endpoint).toBe("https://huggingface.co");
    expect(createHubClient({}, { HF_ENDPOINT: "https://hf-mirror.example/" }).endpoint).toBe("https://hf-mirror.example");
    expect(createHubClient({ endpoint: "http://127.0.0.1:1" }, { HF_ENDPOINT: "https://x.example" }).endpoint).toBe("http://127.0.0.1:1");
    expect(() => createHubClient({ endpoint: "ftp://x" }, {})).toThrow(expect.objectContaining({ code: "bad_request" }));
    const catalog = loadCatalog();
    // Newest models first; M2's October repos stay listed.
    expect(catalog.repos.map((r) => r.repo)).toEqual([
      "unsloth/MiniMax-M3.1-Flash-GGUF",
      "unsloth/MiniMax-M3-GGUF",
      "bartowski/MiniMax-M3-GGUF",
      "unsloth/MiniMax-M2.7-GGUF",
      "bartowski/MiniMaxAI_MiniMax-M2.7-GGUF",
      "unsloth/MiniMax-M2.5-GGUF",
      "unsloth/MiniMax-M2.1-GGUF",
      "bartowski/MiniMaxAI_MiniMax-M2.1-GGUF",
      "unsloth/MiniMax-M2-GGUF",
      "bartowski/MiniMaxAI_MiniMax-M2-GGUF",
      "mradermacher/MiniMax-M2-GGUF",
    ]);
  });
});
