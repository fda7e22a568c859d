import { useToastStore } from "../stores/toast-store";
import type { InvalidEventReport } from "./contract-client";

const noticed = new Set<string>();

/**
 * A quiet notice, once per event type: the window missed an update it could not read (a backend newer
 * or older than this page), so what it shows may be stale until it is reloaded.
 */
export function noticeInvalidEvent(report: InvalidEventReport): void {
  if (noticed.has(report.type)) return;
  noticed.add(report.type);
  useToastStore.getState().show(
    {
      kind: "info",
      text: `The backend sent an event this window could not read (${report.type}); reload the window.`,
      action: { label: "Reload", run: () => window.location.reload() },
    },
    15_000,
  );
}
