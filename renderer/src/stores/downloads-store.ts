import { create } from "zustand";
import type { CatalogEntry, DownloadView } from "../../../app/contract/downloads-api";
import { client } from "../client/client-instance";
import { electronBridge } from "../client/ipc-transport";
import { errorMessage } from "../lib/errors";
import { toastError } from "./toast-store";

interface DownloadsState {
  catalog: CatalogEntry[];
  /** Newest last, as the backend lists them. */
  downloads: DownloadView[];
  /** Set while the Hub is being asked. */
  refreshing: boolean;
  /** Why the last catalog look-up or add failed, per repo or for the add field. */
  catalogErrors: Array<{ repo: string; message: string }>;
  addError: string | null;
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
    addError: null,
    loadCatalog: () => attempt(async () => set({ catalog: (await client().call("catalog.list", {})).entries })),
    async refreshCatalog() {
      set({ refreshing: true });
      await attempt(async () => {
        const { entries, errors } = await client().call("catalog.refresh", {});
        set({ catalog: entries, catalogErrors: errors.map((e) => ({ repo: e.repo, message: e.error.message })) });
      });
      set({ refreshing: false });
    },
    async add(ref) {
      set({ refreshing: true, addError: null });
      try {
        const { entry } = await client().call("catalog.add", { ref });
        set((s) => ({ catalog: [...s.catalog.filter((e) => e.repo !== entry.repo), entry] }));
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
    download: (ref) => attempt(async () => upsert(await client().call("downloads.start", { ref }))),
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
