import { create } from "zustand";

export type View = "chat" | "system" | "models" | "server";

interface UiState {
  view: View;
  searchOpen: boolean;
  settingsOpen: boolean;
  /** The sidebar over the page in a narrow window (it collapses to a rail there). */
  sidebarOpen: boolean;
  setView(view: View): void;
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
  setView: (view) => set({ view, sidebarOpen: false }),
  setSearchOpen: (searchOpen) => set({ searchOpen }),
  toggleSettings: () => set((s) => ({ settingsOpen: !s.settingsOpen })),
  setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
}));
