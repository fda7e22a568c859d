import { create } from "zustand";
import { readJson, writeJson } from "../lib/storage";

export type ThinkingMode = "auto" | "expand" | "hide";
const KEY = "m2d.prefs";

interface Prefs {
  thinking: ThinkingMode;
}

interface PrefsState extends Prefs {
  setThinking(mode: ThinkingMode): void;
}

const saved = readJson<Partial<Prefs>>(KEY, {});

/** App-wide display preferences, kept in localStorage. */
export const usePrefsStore = create<PrefsState>((set, get) => ({
  thinking: saved.thinking === "expand" || saved.thinking === "hide" ? saved.thinking : "auto",
  setThinking(thinking) {
    set({ thinking });
    writeJson(KEY, { thinking: get().thinking });
  },
}));
