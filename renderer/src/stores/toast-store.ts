import { create } from "zustand";

export interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
  action?: { label: string; run: () => void };
}

interface ToastState {
  toasts: Toast[];
  show(toast: Omit<Toast, "id">, timeoutMs?: number): number;
  dismiss(id: number): void;
}

let nextId = 1;

/** Short notices: "Conversation deleted · Undo", failures of background actions. */
export const useToastStore = create<ToastState>((set, get) => ({
  toasts: [],
  show(toast, timeoutMs = 6000) {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { ...toast, id }] }));
    setTimeout(() => get().dismiss(id), timeoutMs);
    return id;
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

export function toastError(text: string): void {
  useToastStore.getState().show({ text, kind: "error" }, 8000);
}
