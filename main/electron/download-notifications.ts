import { Notification } from "electron";
import type { DownloadView } from "../../app/contract/downloads-api";
import type { DownloadService } from "../services/download-service";

/** The title and body of the system notification for a download that finished or failed. */
export function downloadNotice(download: DownloadView): { title: string; body: string } {
  const name = download.repo ? `${download.repo}${download.quant ? `:${download.quant}` : ""}` : download.ref;
  return download.state === "completed"
    ? { title: "Model downloaded", body: `${name} is verified and ready to load.` }
    : { title: "Download failed", body: `${name}: ${download.error?.message ?? "unknown error"}` };
}

/** A system notification when a download settles, where the platform has them. Returns the unsubscribe. */
export function notifyDownloads(downloads: DownloadService): () => void {
  if (!Notification.isSupported()) return () => undefined;
  return downloads.onSettled((download) => new Notification(downloadNotice(download)).show());
}
