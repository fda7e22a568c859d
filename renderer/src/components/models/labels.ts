import { downloadFailureDetails } from "../../../../app/contract/download-failure";
import type { CatalogEntry, CatalogQuantView, DownloadView, FitVerdict } from "../../../../app/contract/downloads-api";

export const VERDICT_LABEL: Record<FitVerdict, string> = {
  gpu: "Fits on GPU",
  expert_offload: "Fits with expert offload",
  ram: "Fits in RAM only",
  no_fit: "Does not fit",
  unknown: "Fit unknown",
};

/** Decimal GB, as the Hub and disk tools show sizes. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return "size unknown";
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s left`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** What to tell the user about a paused or failed download, and whether a retry makes sense. */
export function downloadProblem(download: DownloadView): { text: string; retry: boolean } | null {
  const error = download.error;
  if (!error) return null;
  switch (downloadFailureDetails(error)?.reason) {
    case "gated":
      return { text: "This repo is gated: accept the license on the Hub and add a token, then retry.", retry: true };
    case "disk_full":
      return { text: `Paused: the disk is full. ${error.message}`, retry: true };
    case "hash_mismatch":
      // The backend's message already says which file, both hashes, that it was deleted, and to retry.
      return { text: error.message, retry: true };
    case "offline":
      return { text: `${error.message} Resume when you are back online.`, retry: true };
    default:
      return { text: error.message, retry: download.state !== "completed" };
  }
}

/**
 * What "Get the recommended model for this machine" downloads: the first catalog quant recommended for this
 * machine (sized on the Hub, so its fit is known and it fits), else the first repo's usual pick.
 */
export function recommendedDownload(catalog: readonly CatalogEntry[]): { entry: CatalogEntry; quant: CatalogQuantView } | undefined {
  const picks = catalog.flatMap((entry) => entry.quants.filter((q) => q.recommended).map((quant) => ({ entry, quant })));
  return picks.find((p) => p.quant.totalBytes !== null && p.quant.fit.verdict !== "no_fit" && p.quant.fit.verdict !== "unknown") ?? picks[0];
}
