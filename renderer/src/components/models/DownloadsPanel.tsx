import { useEffect, useRef } from "react";
import type { DownloadView } from "../../../../app/contract/downloads-api";
import { useDownloadsStore } from "../../stores/downloads-store";
import { downloadProblem, fileName, formatEta, formatSize } from "./labels";

const STATE_LABEL: Record<DownloadView["state"], string> = {
  queued: "Queued", running: "Downloading", paused: "Paused", completed: "Verified", failed: "Failed", cancelled: "Cancelled",
};

function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((done / total) * 100) : 0;
}

function DownloadItem({ download }: { download: DownloadView }) {
  const store = useDownloadsStore.getState();
  const name = download.repo ? `${download.repo}${download.quant ? ` ${download.quant}` : ""}` : fileName(download.primaryPath);
  const problem = downloadProblem(download);
  const active = download.state === "running" || download.state === "queued";
  const isNew = useDownloadsStore((s) => s.justStarted === download.id);
  const row = useRef<HTMLLIElement>(null);
  // The download that just started is shown where it is in the list, marked for a moment.
  useEffect(() => {
    if (!isNew) return;
    row.current?.scrollIntoView({ block: "nearest" });
    const unmark = setTimeout(() => useDownloadsStore.setState((s) => (s.justStarted === download.id ? { justStarted: null } : s)), 3000);
    return () => clearTimeout(unmark);
  }, [isNew, download.id]);
  return (
    <li ref={row} className={`download download-${download.state}${isNew ? " download-new" : ""}`} data-testid="download" data-new={isNew || undefined} data-state={download.state} aria-label={`${name}: ${STATE_LABEL[download.state]}`}>
      <div className="download-head">
        <strong>{name}</strong>
        <span data-testid="download-state">{STATE_LABEL[download.state]}</span>
      </div>
      <progress
        max={100}
        value={percent(download.bytesDone, download.totalBytes)}
        aria-label={`${name} total`}
        aria-valuetext={`${percent(download.bytesDone, download.totalBytes)}%`}
        data-testid="download-total"
      />
      <p className="download-meta" data-testid="download-meta">
        {formatSize(download.bytesDone)} of {formatSize(download.totalBytes)} ({percent(download.bytesDone, download.totalBytes)}%)
        {active && download.speedBps > 0 && ` · ${formatSize(download.speedBps)}/s`}
        {active && download.etaSeconds !== null && ` · ${formatEta(download.etaSeconds)}`}
      </p>
      {download.files.length > 1 && (
        <ul className="download-files" aria-label={`Files of ${name}`}>
          {download.files.map((f) => (
            <li key={f.path}>
              <span className="file-name" title={f.path}>{fileName(f.path)}</span>
              <progress max={100} value={percent(f.bytesDone, f.size)} aria-label={fileName(f.path)} />
              <span className="muted">{f.verified ? "verified" : `${percent(f.bytesDone, f.size)}%`}</span>
            </li>
          ))}
        </ul>
      )}
      {problem && <p role="alert" className={download.state === "failed" ? "error" : "warn"} data-testid="download-error">{problem.text}</p>}
      <div className="row download-actions">
        {active && <button type="button" onClick={() => void store.pause(download.id)} aria-label={`Pause ${name}`}>Pause</button>}
        {(download.state === "paused" || download.state === "failed") && (
          <button type="button" onClick={() => void store.resume(download.id)} aria-label={`${download.state === "failed" ? "Retry" : "Resume"} ${name}`} data-testid="download-resume">
            {download.state === "failed" ? "Retry" : "Resume"}
          </button>
        )}
        {download.state !== "completed" && (
          <button type="button" className="icon-button danger" onClick={() => void store.cancel(download.id)} aria-label={`Cancel ${name} and delete its partial files`}>
            Cancel
          </button>
        )}
        {download.state === "completed" && (
          <button type="button" className="icon-button" onClick={() => void store.dismiss(download.id)} aria-label={`Clear ${name} from the list`}>
            Clear
          </button>
        )}
      </div>
    </li>
  );
}

/** Every download with its progress per file and in total, speed, ETA, and what to do about a problem. */
export function DownloadsPanel() {
  const downloads = useDownloadsStore((s) => s.downloads);
  return (
    <section className="models-section" aria-labelledby="downloads-title">
      <h2 id="downloads-title">Downloads</h2>
      {downloads.length === 0 ? (
        <p className="muted">Nothing downloading. Pick a quant in the catalog.</p>
      ) : (
        <ul className="downloads" data-testid="downloads">
          {downloads.map((d) => <DownloadItem key={d.id} download={d} />)}
        </ul>
      )}
    </section>
  );
}
