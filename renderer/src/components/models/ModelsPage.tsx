import { useEffect, useRef, type KeyboardEvent } from "react";
import { useDownloadsStore } from "../../stores/downloads-store";
import { useLibraryStore } from "../../stores/library-store";
import { MODELS_TABS, useUiStore, type ModelsTab } from "../../stores/ui-store";
import { CatalogSection } from "./CatalogSection";
import { DownloadSettingsSection } from "./DownloadSettingsSection";
import { DownloadsPanel } from "./DownloadsPanel";
import { LibrarySection } from "./LibrarySection";

const TAB_LABEL: Record<ModelsTab, string> = { library: "Library", catalog: "Catalog", downloads: "Downloads", settings: "Settings" };

/** How many downloads are not finished: the Downloads tab's count. */
function useActiveDownloads(): number {
  return useDownloadsStore((s) => s.downloads.filter((d) => d.state !== "completed").length);
}

/** Find, fetch and manage GGUFs: a tab each for the library on disk, the catalog, the downloads and their settings, each with its own scroll. */
export function ModelsPage() {
  const tab = useUiStore((s) => s.modelsTab);
  const libraryCount = useLibraryStore((s) => s.models.length);
  const active = useActiveDownloads();
  const tabs = useRef<Partial<Record<ModelsTab, HTMLButtonElement | null>>>({});
  useEffect(() => {
    void useDownloadsStore.getState().loadCatalog().then(() => useDownloadsStore.getState().refreshIfStale());
    void useDownloadsStore.getState().loadDownloads();
    void useLibraryStore.getState().refresh();
  }, []);
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    const next = MODELS_TABS[(MODELS_TABS.indexOf(tab) + step + MODELS_TABS.length) % MODELS_TABS.length]!;
    useUiStore.getState().setModelsTab(next);
    tabs.current[next]?.focus();
  };
  const count: Partial<Record<ModelsTab, number>> = { library: libraryCount, downloads: active };
  return (
    <div className="models-page" data-testid="models-page">
      <h1 className="visually-hidden">Models</h1>
      <div className="models-tabs" role="tablist" aria-label="Models" onKeyDown={onKeyDown}>
        {MODELS_TABS.map((t) => (
          <button
            key={t}
            ref={(el) => void (tabs.current[t] = el)}
            type="button"
            role="tab"
            id={`models-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`models-panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => useUiStore.getState().setModelsTab(t)}
            data-testid={`models-tab-${t}`}
          >
            {TAB_LABEL[t]}
            {count[t] ? <span className="tab-count">{count[t]}</span> : null}
          </button>
        ))}
      </div>
      <div className="models-panel" role="tabpanel" id={`models-panel-${tab}`} aria-labelledby={`models-tab-${tab}`} data-testid={`models-panel-${tab}`}>
        {tab === "library" && <LibrarySection />}
        {tab === "catalog" && <CatalogSection />}
        {tab === "downloads" && <DownloadsPanel />}
        {tab === "settings" && <DownloadSettingsSection />}
      </div>
    </div>
  );
}
