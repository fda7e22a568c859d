import { useId, useState } from "react";
import type { CatalogEntry } from "../../../../app/contract/downloads-api";
import { useDownloadsStore } from "../../stores/downloads-store";
import { formatSize } from "./labels";
import { VerdictBadge } from "./VerdictBadge";

function CatalogRepo({ entry, busyRefs }: { entry: CatalogEntry; busyRefs: ReadonlySet<string> }) {
  const headingId = useId();
  const store = useDownloadsStore.getState();
  return (
    <li className="catalog-repo" aria-labelledby={headingId} data-testid="catalog-entry" data-repo={entry.repo}>
      <div className="catalog-repo-head">
        <h3 id={headingId}>{entry.repo}</h3>
        <span className="muted">{entry.publisher}</span>
        {entry.added && (
          <button type="button" className="icon-button" onClick={() => void store.removeAdded(entry.repo)} aria-label={`Remove ${entry.repo} from the catalog`}>
            Remove
          </button>
        )}
      </div>
      {entry.gated && (
        <p className="warn catalog-gated" data-testid="catalog-gated">
          <span className="badge">Gated</span> Its files need the license accepted on the Hub{entry.gated === "manual" ? " (the authors approve each request)" : ""} and a
          Hub token in Settings.{" "}
          {entry.repoPage && (
            <a href={entry.repoPage} target="_blank" rel="noopener noreferrer" data-testid="catalog-gated-link">
              Accept the terms on the Hub
            </a>
          )}
        </p>
      )}
      <p className="muted">
        {entry.description} {entry.fetchedAt === null ? "Sizes appear after a look-up on the Hub." : `Looked up ${new Date(entry.fetchedAt).toLocaleString()}.`}
      </p>
      {entry.quants.length === 0 ? (
        <p className="muted">No GGUF quants found in this repo.</p>
      ) : (
        <ul className="quant-list" aria-label={`Quants of ${entry.repo}`}>
          {entry.quants.map((q) => (
            <li key={q.ref} className="quant-row" data-testid="catalog-quant" data-quant={q.quant}>
              <span className="quant-name">{q.quant}</span>
              {q.recommended &&
                (q.totalBytes === null ? (
                  // Before a Hub look-up nothing is known about this machine's fit: only the catalog's usual pick.
                  <span className="badge recommended" data-testid="recommended" title="The catalog's usual pick. Look the repo up on the Hub for a verdict for this machine.">
                    Usual pick
                  </span>
                ) : (
                  <span className="badge recommended" data-testid="recommended" title="The best quant that fits this machine">
                    Recommended
                  </span>
                ))}
              <span className="quant-size">{formatSize(q.totalBytes)}{q.parts > 1 ? ` · ${q.parts} parts` : ""}</span>
              <VerdictBadge fit={q.fit} />
              <button
                type="button"
                disabled={busyRefs.has(q.ref)}
                onClick={() => void store.download(q.ref)}
                aria-label={`Download ${entry.repo} ${q.quant}`}
                data-testid="catalog-download"
              >
                {busyRefs.has(q.ref) ? "Downloading" : "Download"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** Known repos and the user's own, each quant with its size, parts and whether it fits this machine. */
export function CatalogSection() {
  const catalog = useDownloadsStore((s) => s.catalog);
  const downloads = useDownloadsStore((s) => s.downloads);
  const refreshing = useDownloadsStore((s) => s.refreshing);
  const errors = useDownloadsStore((s) => s.catalogErrors);
  const addError = useDownloadsStore((s) => s.addError);
  const offline = useDownloadsStore((s) => s.offline);
  const [ref, setRef] = useState("");
  const inputId = useId();
  const errorId = useId();
  const busyRefs = new Set(downloads.filter((d) => d.state !== "completed").map((d) => d.ref));
  return (
    <section className="models-section" aria-labelledby="catalog-title" aria-busy={refreshing}>
      <div className="section-head">
        <h2 id="catalog-title">Catalog</h2>
        <button type="button" onClick={() => void useDownloadsStore.getState().refreshCatalog()} disabled={refreshing} data-testid="catalog-refresh">
          {refreshing ? "Looking up…" : "Look up on the Hub"}
        </button>
      </div>
      <form
        className="catalog-add"
        onSubmit={(e) => {
          e.preventDefault();
          void useDownloadsStore.getState().add(ref).then((ok) => ok && setRef(""));
        }}
      >
        <label htmlFor={inputId}>Add a model: hf:owner/repo[:QUANT], a Hub URL or an https URL</label>
        <div className="row">
          <input
            id={inputId}
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            placeholder="hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S"
            spellCheck={false}
            aria-invalid={addError !== null}
            aria-describedby={addError ? errorId : undefined}
            data-testid="catalog-add-input"
          />
          <button type="submit" disabled={refreshing || ref.trim().length < 3} data-testid="catalog-add">
            Add
          </button>
        </div>
        {addError && <p id={errorId} role="alert" className="error">{addError}</p>}
      </form>
      {offline && <p className="muted" data-testid="catalog-offline">The Hub could not be reached: sizes and fit are from the last look-up.</p>}
      {errors.length > 0 && (
        <ul role="alert" className="error">
          {errors.map((e) => <li key={e.repo}>{e.repo}: {e.message}</li>)}
        </ul>
      )}
      <ul className="catalog" data-testid="catalog">
        {catalog.map((entry) => <CatalogRepo key={entry.repo} entry={entry} busyRefs={busyRefs} />)}
      </ul>
    </section>
  );
}
