import { useEffect } from "react";
import { useDownloadsStore } from "../../stores/downloads-store";
import { useLibraryStore } from "../../stores/library-store";
import { CatalogSection } from "./CatalogSection";
import { DownloadSettingsSection } from "./DownloadSettingsSection";
import { DownloadsPanel } from "./DownloadsPanel";
import { LibrarySection } from "./LibrarySection";

/** Find, fetch and manage GGUFs: the catalog, the downloads in progress, and the library on disk. */
export function ModelsPage() {
  useEffect(() => {
    void useDownloadsStore.getState().loadCatalog();
    void useDownloadsStore.getState().loadDownloads();
    void useLibraryStore.getState().refresh();
  }, []);
  return (
    <div className="models-page" data-testid="models-page">
      <h1 className="visually-hidden">Models</h1>
      <DownloadsPanel />
      <LibrarySection />
      <CatalogSection />
      <DownloadSettingsSection />
    </div>
  );
}
