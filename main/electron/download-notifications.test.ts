import { describe, expect, it, vi } from "vitest";
import type { DownloadView } from "../../app/contract/downloads-api";
import type { DownloadService } from "../services/download-service";

// Electron's binary is not installed here, so its Notification is a recording double (the only one).
const shown: Array<{ title: string; body: string }> = [];
let supported = true;
vi.mock("electron", () => ({
  Notification: class {
    static isSupported = () => supported;
    constructor(private readonly options: { title: string; body: string }) {}
    show() {
      shown.push(this.options);
    }
  },
}));

const { notifyDownloads } = await import("./download-notifications");

function fakeSettledSource() {
  const listeners = new Set<(d: DownloadView) => void>();
  return {
    service: { onSettled: (l: (d: DownloadView) => void) => (listeners.add(l), () => listeners.delete(l)) } as unknown as DownloadService,
    settle: (d: DownloadView) => listeners.forEach((l) => l(d)),
    count: () => listeners.size,
  };
}

const download: DownloadView = {
  id: "d", ref: "hf:o/r:Q4_K_M", repo: "o/r", quant: "Q4_K_M", primaryPath: "/m/a.gguf", state: "completed", error: null,
  totalBytes: 1, bytesDone: 1, speedBps: 0, etaSeconds: null, files: [],
};

describe("system notifications on a settled download (Electron Notification double)", () => {
  it("notifies a finished and a failed download, and unsubscribes", () => {
    const source = fakeSettledSource();
    const off = notifyDownloads(source.service);
    source.settle(download);
    source.settle({ ...download, state: "failed", error: { code: "storage", message: "a.gguf does not match the Hub's sha256." } });
    expect(shown).toEqual([
      { title: "Model downloaded", body: "o/r:Q4_K_M is verified and ready to load." },
      { title: "Download failed", body: "o/r:Q4_K_M: a.gguf does not match the Hub's sha256." },
    ]);
    off();
    expect(source.count()).toBe(0);
  });

  it("does nothing where the platform has no notifications", () => {
    supported = false;
    const source = fakeSettledSource();
    notifyDownloads(source.service);
    expect(source.count()).toBe(0);
  });
});
