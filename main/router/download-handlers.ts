import type { downloadsMethods } from "../../app/contract/downloads-api";
import type { DownloadService } from "../services/download-service";
import type { Handlers } from "./router";

type DownloadHandlers = Pick<Handlers, keyof typeof downloadsMethods>;

/** catalog.*, downloads.* and library.* over the download service: thin, since validation happened in the router. */
export function downloadHandlers(downloads: DownloadService): DownloadHandlers {
  return {
    "catalog.list": async () => ({ entries: await downloads.catalog() }),
    "catalog.refresh": () => downloads.refreshCatalog(),
    "catalog.add": async ({ ref }) => ({ entry: await downloads.addToCatalog(ref) }),
    "catalog.remove": async ({ repo }) => (downloads.removeFromCatalog(repo), {}),
    "downloads.list": async () => ({ downloads: downloads.listDownloads() }),
    "downloads.start": ({ ref }) => downloads.startDownload(ref),
    "downloads.pause": ({ id }) => downloads.pauseDownload(id),
    "downloads.resume": ({ id }) => downloads.resumeDownload(id),
    "downloads.cancel": async ({ id }) => (await downloads.cancelDownload(id), {}),
    "downloads.dismiss": async ({ id }) => (await downloads.dismissDownload(id), {}),
    "library.list": async () => ({ models: await downloads.listLibrary() }),
    "library.delete": ({ id }) => downloads.deleteModel(id),
    "library.import": ({ path, mode }) => downloads.importModel(path, mode),
    "library.scan": async () => ({ added: await downloads.scan() }),
    "downloads.settings": async () => downloads.settingsView(),
    "downloads.updateSettings": async (patch) => downloads.updateSettings(patch),
  };
}
