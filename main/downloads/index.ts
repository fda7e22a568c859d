/** The download manager's public surface. */
export { parseModelRef, formatModelRef, type ModelRef } from "./model-ref";
export { HubClient, createHubClient, type HubClientOptions, type ProbeResult } from "./hub-client";
export { Downloader, type DownloadInfo, type DownloaderEvents, type DownloaderOptions, type StartRequest, type FileProgress } from "./downloader";
export { isLoadable, Library } from "./library";
export { downloadsMigration } from "./schema";
export { catalogView, refreshCatalog, loadCatalog, type CatalogRepo, type CatalogQuant } from "./catalog";
export { HubFileCache } from "./hub-cache";
export { groupQuants, quantOf, type QuantGroup, type RemoteFile } from "./gguf-parts";
export { DEFAULT_DOWNLOAD_SETTINGS, readDownloadSettings, readHubSettings, type DownloadSettings } from "./settings";
export { failureReason, GATED_MESSAGE, type DownloadFailure } from "./errors";
export type { DownloadState } from "./store";
