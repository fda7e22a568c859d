import { create } from "zustand";

interface ComposerState {
  draft: string;
  /** Set while the composer edits an earlier user message (resent as a new branch). */
  editing: { messageId: string } | null;
  /** Bumped to ask the composer to take focus. */
  focusRequest: number;
  setDraft(draft: string): void;
  startEdit(messageId: string, text: string): void;
  cancelEdit(): void;
  focus(): void;
}

let savedDraft = "";

/** The composer's text and edit mode; the draft survives an edit that is cancelled. */
export const useComposerStore = create<ComposerState>((set, get) => ({
  draft: "",
  editing: null,
  focusRequest: 0,
  setDraft: (draft) => set({ draft }),
  startEdit(messageId, text) {
    if (!get().editing) savedDraft = get().draft;
    set((s) => ({ editing: { messageId }, draft: text, focusRequest: s.focusRequest + 1 }));
  },
  cancelEdit() {
    set((s) => ({ editing: null, draft: savedDraft, focusRequest: s.focusRequest + 1 }));
    savedDraft = "";
  },
  focus: () => set((s) => ({ focusRequest: s.focusRequest + 1 })),
}));
