import { create } from "zustand";

export type View = "chat" | "system" | "models" | "server";

interface UiState {
  view: View;
  searchOpen: boolean;
  settingsOpen: boolean;
  setView(view: View): void;
  setSearchOpen(open: boolean): void;
  toggleSettings(): void;
}

/** Which panes are open: navigation state only, no data. */
export const useUiStore = create<UiState>((set) => ({
  view: window.location.hash === "#system" ? "system" : window.location.hash === "#models" ? "models" : window.location.hash === "#server" ? "server" : "chat",
  searchOpen: false,
  settingsOpen: false,
  setView: (view) => set({ view }),
  setSearchOpen: (searchOpen) => set({ searchOpen }),
  toggleSettings: () => set((s) => ({ settingsOpen: !s.settingsOpen })),
}));
