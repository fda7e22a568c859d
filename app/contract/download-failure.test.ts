import { describe, expect, it } from "vitest";
import { downloadFailureDetails, downloadFailures, DownloadFailureDetailsSchema, type DownloadFailureDetails } from "./download-failure";
import { asDownloadError, DownloadViewSchema } from "./downloads-api";

/** One of each reason, with the fields main/downloads gives it. */
const SAMPLES: Record<DownloadFailureDetails["reason"], DownloadFailureDetails> = {
  gated: { reason: "gated", repo: "o/r", status: 403 },
  rate_limited: { reason: "rate_limited", url: "https://hf.co/x", retryAfterMs: 120_000 },
  offline: { reason: "offline", url: "https://hf.co/x", cause: "ENOTFOUND" },
  not_found: { reason: "not_found", repo: "o/r", quant: "Q4_K_M" },
  http: { reason: "http", url: "https://hf.co/x", status: 503 },
  network: { reason: "network", url: "https://hf.co/x", cause: "ECONNRESET" },
  hash_mismatch: { reason: "hash_mismatch", path: "/m/a.gguf", expected: "ab", actual: "cd" },
  invalid_gguf: { reason: "invalid_gguf", path: "/m/a.gguf" },
  disk_full: { reason: "disk_full", dir: "/m", requiredBytes: 2e9, availableBytes: 1e9 },
  io: { reason: "io", path: "/m/a.gguf.partial", cause: "EIO" },
  bad_ref: { reason: "bad_ref", input: "hf:" },
  busy: { reason: "busy", downloadId: "d1" },
};

const view = (error: unknown) => ({
  id: "d1", ref: "hf:o/r:Q4_K_M", repo: "o/r", quant: "Q4_K_M", primaryPath: "/m/a.gguf", state: "failed", error,
  totalBytes: 10, bytesDone: 5, speedBps: 0, etaSeconds: null, files: [],
});

describe("download failures in the contract", () => {
  it("lists every reason once", () => {
    expect([...downloadFailures].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(Object.values(SAMPLES))("$reason round-trips through the schema and the download view", (details) => {
    expect(DownloadFailureDetailsSchema.parse(JSON.parse(JSON.stringify(details)))).toEqual(details);
    expect(downloadFailureDetails({ details })).toEqual(details);
    const error = { code: "internal", message: "m", details };
    expect(DownloadViewSchema.parse(view(error)).error).toEqual(error);
  });

  it("refuses an unknown reason, a missing field and a field the reason does not carry", () => {
    expect(DownloadFailureDetailsSchema.safeParse({ reason: "source_changed" }).success).toBe(false);
    expect(DownloadFailureDetailsSchema.safeParse({ reason: "gated", repo: "o/r" }).success).toBe(false);
    expect(DownloadFailureDetailsSchema.safeParse({ ...SAMPLES.busy, sqliteCode: "SQLITE_BUSY" }).success).toBe(false);
    expect(DownloadViewSchema.safeParse(view({ code: "internal", message: "m", details: { reason: "source_changed" } })).success).toBe(false);
  });

  it("carries SQLite's and the validator's failures too, and drops details nothing knows", () => {
    const sqlite = { code: "storage", message: "Could not save", details: { reason: "busy", sqliteCode: "SQLITE_BUSY" } } as const;
    expect(DownloadViewSchema.parse(view(sqlite)).error).toEqual(sqlite);
    expect(downloadFailureDetails(sqlite)).toBeUndefined();
    const invalid = { code: "model_invalid", message: "m", details: { path: "/m/a.gguf", reason: "unsupported_arch" } } as const;
    expect(DownloadViewSchema.parse(view(invalid)).error).toEqual(invalid);
    expect(asDownloadError({ code: "internal", message: "odd", details: { reason: "source_changed" } })).toEqual({ code: "internal", message: "odd" });
    expect(asDownloadError(sqlite)).toEqual(sqlite);
  });
});
