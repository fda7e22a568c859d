import { describe, expect, it } from "vitest";
import type { DownloadFailureDetails } from "../../../../app/contract/download-failure";
import type { CatalogEntry, CatalogQuantView, DownloadView } from "../../../../app/contract/downloads-api";
import { downloadProblem, formatEta, formatSize, recommendedDownload } from "./labels";

const base: DownloadView = {
  id: "d1", ref: "hf:o/r:Q4_K_M", repo: "o/r", quant: "Q4_K_M", primaryPath: "/m/a.gguf", state: "failed", error: null,
  totalBytes: 10, bytesDone: 5, speedBps: 0, etaSeconds: null, files: [],
};
const withError = (details: DownloadFailureDetails, message: string, state: DownloadView["state"] = "failed"): DownloadView => ({
  ...base, state, error: { code: "internal", message, details },
});

describe("download problems in words", () => {
  it("tells a gated repo to accept the license and add a token", () => {
    expect(downloadProblem(withError({ reason: "gated", repo: "o/r", status: 403 }, "gated: accept the license on the Hub and add a token"))?.text).toMatch(/accept the license on the Hub and add a token/);
  });
  it("says a full disk paused the download, with the backend's detail", () => {
    const p = downloadProblem(withError({ reason: "disk_full", dir: "/m", requiredBytes: 2e9, availableBytes: 0 }, "Not enough disk space in /m: 2.00 GB more needed.", "paused"));
    expect(p).toEqual({ text: "Paused: the disk is full. Not enough disk space in /m: 2.00 GB more needed.", retry: true });
  });
  it("passes the hash mismatch message through and offers a retry; no error, no problem", () => {
    expect(downloadProblem(withError({ reason: "hash_mismatch", path: "/m/a.gguf", expected: "ab", actual: "cd" }, "a.gguf does not match the Hub's sha256. The file was deleted; retry the download."))).toEqual({
      text: "a.gguf does not match the Hub's sha256. The file was deleted; retry the download.", retry: true,
    });
    expect(downloadProblem(base)).toBeNull();
  });
  it("reads details that are not a download failure as no reason: the bare message", () => {
    // SQLite's full disk is a storage failure, not the downloader's disk_full: its message already says so.
    const sqliteFull = { ...base, error: { code: "storage" as const, message: "Could not save: the disk is full.", details: { reason: "disk_full" as const, sqliteCode: "SQLITE_FULL" } } };
    expect(downloadProblem(sqliteFull)).toEqual({ text: "Could not save: the disk is full.", retry: true });
  });
  it("formats sizes in decimal units and ETAs", () => {
    expect(formatSize(47_000_000_000)).toBe("47.0 GB");
    expect(formatSize(4_612_000)).toBe("4.6 MB");
    expect(formatSize(null)).toBe("size unknown");
    expect(formatEta(75)).toBe("1 min 15 s left");
    expect(formatEta(7260)).toBe("2 h 1 min left");
  });
});

describe("recommendedDownload", () => {
  const quant = (q: string, over: Partial<CatalogQuantView> = {}): CatalogQuantView => ({
    quant: q, ref: `hf:o/r:${q}`, known: true, totalBytes: null, parts: 1, fit: { verdict: "unknown", detail: "" }, recommended: false, ...over,
  });
  const entry = (repo: string, quants: CatalogQuantView[]): CatalogEntry => ({
    repo, publisher: "o", description: "", added: false, family: "unknown", familyName: "", fetchedAt: null, gated: null, repoPage: null, quants,
  });

  it("takes the first quant recommended for this machine, skipping usual picks not yet sized and ones that do not fit", () => {
    const catalog = [
      entry("a/unsized", [quant("Q2", { recommended: true })]),
      entry("b/too-big", [quant("Q8", { recommended: true, totalBytes: 9e11, fit: { verdict: "no_fit", detail: "" } })]),
      entry("c/fits", [quant("Q3"), quant("Q4", { recommended: true, totalBytes: 1e11, fit: { verdict: "expert_offload", detail: "" } })]),
    ];
    expect(recommendedDownload(catalog)).toMatchObject({ entry: { repo: "c/fits" }, quant: { quant: "Q4" } });
  });

  it("falls back to the first repo's usual pick before any look-up, and to nothing for an empty catalog", () => {
    expect(recommendedDownload([entry("a/r", [quant("Q1"), quant("Q2", { recommended: true })])])?.quant.quant).toBe("Q2");
    expect(recommendedDownload([])).toBeUndefined();
  });
});
