import { AppError, type DataFolderOwner } from "../../app/contract";
import { DownloadSettingsViewSchema, downloadsMethods, type DownloadView } from "../../app/contract/downloads-api";
import { formatModelRef, parseModelRef } from "../downloads";
import type { HostConnection } from "./host-client";

const SETTLED = new Set(["completed", "failed", "paused", "cancelled"]);
const RUNNING = new Set(["queued", "running"]);

/**
 * `m2d pull` on a folder a running host owns: the host downloads (its downloader is the folder's only writer) and
 * this command follows the download's progress until it settles. Ctrl+C pauses it there, as it would here.
 */
export async function pullThroughHost(
  host: HostConnection,
  owner: DataFolderOwner,
  input: string,
  report: { started(view: DownloadView, resumed: boolean): void; progress(view: DownloadView): void },
): Promise<DownloadView> {
  // Every event from now on, so a download that settles before its id comes back is not missed.
  const latest = new Map<string, DownloadView>();
  let wake: () => void = () => undefined;
  const off = host.onEvent((event) => {
    if (event.type !== "downloads.progress") return;
    latest.set(event.download.id, event.download);
    wake();
  });
  // Without this, a host that stops mid-download would leave the loop below waiting for an event forever.
  let closed = false;
  const offClose = host.onClose(() => {
    closed = true;
    wake();
  });
  try {
    const settings = DownloadSettingsViewSchema.parse(await host.call("downloads.settings", {}));
    const label = formatModelRef(parseModelRef(input, settings.hub.effectiveEndpoint));
    const { downloads } = downloadsMethods["downloads.list"].result.parse(await host.call("downloads.list", {}));
    const unfinished = downloads.find((d) => d.ref === label && d.state !== "completed" && d.state !== "cancelled");
    const view = downloadsMethods["downloads.start"].result.parse(
      unfinished
        ? RUNNING.has(unfinished.state) ? unfinished : await host.call("downloads.resume", { id: unfinished.id })
        : await host.call("downloads.start", { ref: input }),
    );
    report.started(view, unfinished !== undefined);
    const pause = () => void host.call("downloads.pause", { id: view.id }).catch(() => undefined);
    process.once("SIGINT", pause);
    try {
      for (;;) {
        const current = latest.get(view.id) ?? view;
        if (SETTLED.has(current.state)) return current;
        if (closed) throw new AppError("backend_unreachable", "The running host closed the connection.");
        report.progress(current);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      process.off("SIGINT", pause);
    }
  } catch (error) {
    const appError = AppError.from(error);
    if (appError.code === "backend_unreachable") {
      throw new AppError("backend_unreachable", `Lost the connection to the app running on this data folder (pid ${owner.pid}); the download goes on there if it still runs.`);
    }
    throw appError;
  } finally {
    off();
    offClose();
  }
}
