import { create } from "zustand";

export type View = "chat" | "system" | "models" | "server";

/** The Models page's tabs, in order. */
export const MODELS_TABS = ["library", "catalog", "downloads", "settings"] as const;
export type ModelsTab = (typeof MODELS_TABS)[number];

interface UiState {
  view: View;
  searchOpen: boolean;
  settingsOpen: boolean;
  /** The sidebar over the page in a narrow window (it collapses to a rail there). */
  sidebarOpen: boolean;
  modelsTab: ModelsTab;
  setView(view: View): void;
  /** Opens the Models page on a tab (a download that just started opens Downloads). */
  showModels(tab: ModelsTab): void;
  setModelsTab(tab: ModelsTab): void;
  setSearchOpen(open: boolean): void;
  toggleSettings(): void;
  setSidebarOpen(open: boolean): void;
}

/** Which panes are open: navigation state only, no data. */
export const useUiStore = create<UiState>((set) => ({
  view: window.location.hash === "#system" ? "system" : window.location.hash === "#models" ? "models" : window.location.hash === "#server" ? "server" : "chat",
  searchOpen: false,
  settingsOpen: false,
  sidebarOpen: false,
  modelsTab: "library",
  setView: (view) => set({ view, sidebarOpen: false }),
  showModels: (modelsTab) => set({ view: "models", modelsTab, sidebarOpen: false }),
  setModelsTab: (modelsTab) => set({ modelsTab }),
  setSearchOpen: (searchOpen) => set({ searchOpen }),
  toggleSettings: () => set((s) => ({ settingsOpen: !s.settingsOpen })),
  setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
}));
