import { create } from "zustand";
import type { CatalogEntry, DownloadView } from "../../../app/contract/downloads-api";
import { client } from "../client/client-instance";
import { electronBridge } from "../client/ipc-transport";
import { errorMessage } from "../lib/errors";
import { toastError, useToastStore } from "./toast-store";
import { useUiStore } from "./ui-store";

/** A catalog look-up older than this is done again when the Models page opens. */
const CATALOG_STALE_MS = 24 * 60 * 60 * 1000;

interface DownloadsState {
  catalog: CatalogEntry[];
  /** Newest last, as the backend lists them. */
  downloads: DownloadView[];
  /** Set while the Hub is being asked. */
  refreshing: boolean;
  /** Why the last catalog look-up or add failed, per repo or for the add field. */
  catalogErrors: Array<{ repo: string; message: string }>;
  /** The last automatic look-up found the Hub unreachable (the catalog shows what was cached). */
  offline: boolean;
  addError: string | null;
  /** The download that just started: the Downloads tab shows it, scrolled into view and marked. */
  justStarted: string | null;
  /** Looks the catalog up on the Hub once per session when a repo was never looked up or not for a day (quietly offline). */
  refreshIfStale(): Promise<void>;
  loadCatalog(): Promise<void>;
  refreshCatalog(): Promise<void>;
  add(ref: string): Promise<boolean>;
  removeAdded(repo: string): Promise<void>;
  loadDownloads(): Promise<void>;
  download(ref: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  dismiss(id: string): Promise<void>;
  start(): () => void;
}

/** The browser's own notification, only where the user already allowed them: never a permission prompt. Electron's main process notifies there. */
function notifySettled(download: DownloadView): void {
  if (electronBridge() || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const name = download.repo ? `${download.repo}:${download.quant ?? ""}` : download.ref;
  const body = download.state === "completed" ? `${name} is verified and ready to load.` : `${name}: ${download.error?.message ?? "failed"}`;
  new Notification(download.state === "completed" ? "Model downloaded" : "Download failed", { body });
}

async function attempt(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    toastError(errorMessage(error));
  }
}

let lookedUpThisSession = false;

/** The catalog and the downloads panel, fed by downloads.progress events. */
export const useDownloadsStore = create<DownloadsState>((set, get) => {
  const upsert = (download: DownloadView) =>
    set((s) => {
      if (download.state === "cancelled") return { downloads: s.downloads.filter((d) => d.id !== download.id) };
      const at = s.downloads.findIndex((d) => d.id === download.id);
      if (at < 0) return { downloads: [...s.downloads, download] };
      const downloads = s.downloads.slice();
      downloads[at] = download;
      return { downloads };
    });
  return {
    catalog: [],
    downloads: [],
    refreshing: false,
    catalogErrors: [],
    offline: false,
    addError: null,
    justStarted: null,
    async refreshIfStale() {
      if (lookedUpThisSession || get().refreshing) return;
      const stale = (e: CatalogEntry) => e.repoPage !== null && (e.fetchedAt === null || Date.now() - e.fetchedAt > CATALOG_STALE_MS);
      if (!get().catalog.some(stale)) return;
      lookedUpThisSession = true;
      set({ refreshing: true });
      try {
        const { entries, errors } = await client().call("catalog.refresh", {});
        // Offline is the normal case for a look-up nobody asked for: the cached sizes stay, with no alarm.
        const real = errors.filter((e) => e.error.details?.reason !== "offline");
        set({ catalog: entries, catalogErrors: real.map((e) => ({ repo: e.repo, message: e.error.message })), offline: real.length < errors.length });
      } catch {
        // The explicit "Look up on the Hub" says why; here the cached catalog simply stays.
      } finally {
        set({ refreshing: false });
      }
    },
    loadCatalog: () => attempt(async () => set({ catalog: (await client().call("catalog.list", {})).entries })),
    async refreshCatalog() {
      set({ refreshing: true });
      await attempt(async () => {
        const { entries, errors } = await client().call("catalog.refresh", {});
        set({ catalog: entries, catalogErrors: errors.map((e) => ({ repo: e.repo, message: e.error.message })), offline: false });
      });
      set({ refreshing: false });
    },
    async add(ref) {
      set({ refreshing: true, addError: null });
      try {
        const { entry } = await client().call("catalog.add", { ref });
        // The newest added repo goes on top, as the backend lists it.
        set((s) => ({ catalog: [entry, ...s.catalog.filter((e) => e.repo !== entry.repo)] }));
        return true;
      } catch (error) {
        set({ addError: errorMessage(error) });
        return false;
      } finally {
        set({ refreshing: false });
      }
    },
    removeAdded: (repo) =>
      attempt(async () => {
        await client().call("catalog.remove", { repo });
        set((s) => ({ catalog: s.catalog.filter((e) => e.repo !== repo) }));
      }),
    loadDownloads: () => attempt(async () => set({ downloads: (await client().call("downloads.list", {})).downloads })),
    download: (ref) =>
      attempt(async () => {
        const started = await client().call("downloads.start", { ref });
        upsert(started);
        set({ justStarted: started.id });
        useUiStore.getState().showModels("downloads");
        const name = started.repo ? `${started.repo}${started.quant ? ` ${started.quant}` : ""}` : started.ref;
        useToastStore.getState().show({ kind: "info", text: `Downloading ${name}` }, 4000);
      }),
    pause: (id) => attempt(async () => upsert(await client().call("downloads.pause", { id }))),
    resume: (id) => attempt(async () => upsert(await client().call("downloads.resume", { id }))),
    cancel: (id) => attempt(async () => void (await client().call("downloads.cancel", { id }))),
    dismiss: (id) =>
      attempt(async () => {
        await client().call("downloads.dismiss", { id });
        set((s) => ({ downloads: s.downloads.filter((d) => d.id !== id) }));
      }),
    start() {
      const off = client().onEvent((event) => {
        if (event.type !== "downloads.progress") return;
        const before = get().downloads.find((d) => d.id === event.download.id)?.state;
        upsert(event.download);
        const settled = event.download.state === "completed" || event.download.state === "failed";
        if (settled && before !== event.download.state) notifySettled(event.download);
      });
      const offConnection = client().onConnection((state) => {
        if (state === "open") void get().loadDownloads();
      });
      return () => {
        off();
        offConnection();
      };
    },
  };
});
