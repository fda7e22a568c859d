import { realpath } from "node:fs/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../../../app/contract/errors";
import type { PageProblem, PageReport } from "./check-page";

/** One page's DevTools session, whoever provides it: a headless Chromium's WebSocket or Electron's webContents.debugger. */
export interface CdpChannel {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Sets the one handler for this page's events. */
  onEvent(handler: (method: string, params: Record<string, unknown>) => void): void;
}

/** After the load event, how long late errors (timers, failed lazy requests) are still collected. */
const SETTLE_MS = 1500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function location(url: unknown, line: unknown, column: unknown): string | undefined {
  if (typeof url !== "string" || url === "") return undefined;
  return typeof line === "number" ? `${url}:${line + 1}:${typeof column === "number" ? column + 1 : 0}` : url;
}

function withLocation(text: string, where: string | undefined): PageProblem {
  return where ? { text, location: where } : { text };
}

/** console.error("a", obj) as the DevTools console would print it, roughly. */
function consoleText(args: unknown): string {
  if (!Array.isArray(args)) return "";
  return args
    .map((arg: { value?: unknown; description?: string; unserializableValue?: string; type?: string }) => {
      if (arg.value !== undefined) return typeof arg.value === "string" ? arg.value : JSON.stringify(arg.value);
      return arg.unserializableValue ?? arg.description ?? arg.type ?? "";
    })
    .join(" ");
}

/** A file:// URL whose real path (through symlinks) lies under the real folder `rootUrl` names. */
export async function insideRoot(url: string, rootUrl: string): Promise<boolean> {
  if (!url.startsWith("file:")) return false;
  try {
    const root = fileURLToPath(rootUrl);
    const path = fileURLToPath(url);
    const real = await realpath(path).catch(() => path);
    return real.startsWith(root) && !relative(root, real).startsWith("..");
  } catch {
    return false;
  }
}

/**
 * Navigates the page to `fileUrl` and collects what went wrong until shortly after the load event.
 * Every request goes through Fetch interception: only files under `rootUrl` load, everything else
 * (the network, other files, symlinks out) fails with ERR_ACCESS_DENIED.
 */
export async function collectPageReport(channel: CdpChannel, fileUrl: string, rootUrl: string, deadline: number): Promise<PageReport> {
  const report: PageReport = { title: "", loaded: false, consoleErrors: [], consoleWarnings: [], exceptions: [], failedRequests: [] };
  const requestUrls = new Map<string, string>();
  let onLoad: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (onLoad = resolve));
  channel.onEvent((method, params) => {
    switch (method) {
      case "Runtime.exceptionThrown": {
        const details = params["exceptionDetails"] as { text?: string; exception?: { description?: string }; url?: string; lineNumber?: number; columnNumber?: number };
        const text = details.exception?.description ?? details.text ?? "uncaught exception";
        report.exceptions.push(withLocation(text, location(details.url, details.lineNumber, details.columnNumber)));
        break;
      }
      case "Runtime.consoleAPICalled": {
        const type = params["type"];
        const frame = (params["stackTrace"] as { callFrames?: Array<{ url?: string; lineNumber?: number; columnNumber?: number }> } | undefined)?.callFrames?.[0];
        const problem = withLocation(consoleText(params["args"]), location(frame?.url, frame?.lineNumber, frame?.columnNumber));
        if (type === "error" || type === "assert") report.consoleErrors.push(problem);
        else if (type === "warning") report.consoleWarnings.push(problem);
        break;
      }
      case "Log.entryAdded": {
        const entry = params["entry"] as { level?: string; text?: string; source?: string; url?: string; lineNumber?: number };
        // Failed loads are reported once, from the Network domain, with their URL.
        if (entry.source === "network") break;
        const problem = withLocation(entry.text ?? "", location(entry.url, entry.lineNumber, undefined));
        if (entry.level === "error") report.consoleErrors.push(problem);
        else if (entry.level === "warning") report.consoleWarnings.push(problem);
        break;
      }
      case "Network.requestWillBeSent":
        requestUrls.set(params["requestId"] as string, (params["request"] as { url: string }).url);
        break;
      case "Network.loadingFailed": {
        const url = requestUrls.get(params["requestId"] as string) ?? "(unknown URL)";
        const reason = params["blockedReason"] ? `${String(params["errorText"])} (blocked: ${String(params["blockedReason"])})` : String(params["errorText"]);
        report.failedRequests.push({ url, error: reason });
        break;
      }
      case "Network.responseReceived": {
        const response = params["response"] as { url: string; status: number; statusText?: string };
        if (response.status >= 400) report.failedRequests.push({ url: response.url, error: `HTTP ${response.status} ${response.statusText ?? ""}`.trim() });
        break;
      }
      case "Fetch.requestPaused": {
        // Only the workspace's own files load: a page must not pull ~/.ssh or /etc into the report.
        const requestId = params["requestId"];
        void insideRoot((params["request"] as { url: string }).url, rootUrl)
          .then((inside) => channel.send(inside ? "Fetch.continueRequest" : "Fetch.failRequest", inside ? { requestId } : { requestId, errorReason: "AccessDenied" }))
          .catch(() => undefined);
        break;
      }
      case "Page.loadEventFired":
        onLoad();
        break;
    }
  });
  await Promise.all([
    channel.send("Runtime.enable"),
    channel.send("Log.enable"),
    channel.send("Network.enable"),
    channel.send("Page.enable"),
    channel.send("Fetch.enable", { patterns: [{ urlPattern: "*" }] }),
  ]);
  const navigation = await channel.send("Page.navigate", { url: fileUrl });
  if (typeof navigation["errorText"] === "string" && navigation["errorText"] !== "") {
    throw new AppError("bad_request", `The page could not be opened: ${navigation["errorText"]}.`, { reason: "navigation_failed" });
  }
  const remaining = () => Math.max(0, deadline - Date.now());
  report.loaded = await Promise.race([loaded.then(() => true), sleep(remaining()).then(() => false)]);
  await sleep(Math.min(SETTLE_MS, remaining()));
  const title = await channel.send("Runtime.evaluate", { expression: "document.title", returnByValue: true }).catch((): Record<string, unknown> => ({}));
  const value = (title["result"] as { value?: unknown } | undefined)?.value;
  report.title = typeof value === "string" ? value : "";
  return report;
}

/** The same failure shapes for every checker: cancelled, or the browser went wrong. */
export function pageCheckFailure(error: unknown, signal?: AbortSignal): AppError {
  if (signal?.aborted) return new AppError("aborted", "check_page was cancelled.", { reason: "aborted" });
  return error instanceof AppError ? error : new AppError("internal", `check_page failed: ${error instanceof Error ? error.message : String(error)}`, { reason: "browser_failed" });
}
