import { AppError } from "../../../app/contract/errors";
import type { PageProblem, PageReport, PageTarget } from "./check-page";
import { pageUrl, servePageRequest } from "./page-server";
import type { PageResponse } from "./page-server";

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

/** Fetch.fulfillRequest or Fetch.failRequest for one paused request. */
function answer(requestId: unknown, response: PageResponse): [string, Record<string, unknown>] {
  if (response.kind === "refuse") return ["Fetch.failRequest", { requestId, errorReason: "AccessDenied" }];
  const responseHeaders = [
    { name: "Content-Type", value: response.contentType },
    { name: "Cache-Control", value: "no-store" },
  ];
  return ["Fetch.fulfillRequest", { requestId, responseCode: response.status, responseHeaders, body: response.body.toString("base64") }];
}

/**
 * Navigates the page to `page` under the synthetic origin and collects what went wrong until shortly
 * after the load event. Every request goes through Fetch interception: the workspace's files are
 * answered from bytes read here (never by a path the browser opens), everything else (the network,
 * file://, symlinks out) fails with ERR_ACCESS_DENIED.
 */
export async function collectPageReport(channel: CdpChannel, page: PageTarget, deadline: number): Promise<PageReport> {
  const report: PageReport = { title: "", loaded: false, consoleErrors: [], consoleWarnings: [], exceptions: [], failedRequests: [] };
  const requestUrls = new Map<string, string>();
  const erroredRequests = new Set<string>();
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
        // An error status already said what went wrong; the aborted body after it adds nothing.
        if (erroredRequests.has(params["requestId"] as string)) break;
        const url = requestUrls.get(params["requestId"] as string) ?? "(unknown URL)";
        const reason = params["blockedReason"] ? `${String(params["errorText"])} (blocked: ${String(params["blockedReason"])})` : String(params["errorText"]);
        report.failedRequests.push({ url, error: reason });
        break;
      }
      case "Network.responseReceived": {
        const response = params["response"] as { url: string; status: number; statusText?: string };
        if (response.status < 400) break;
        erroredRequests.add(params["requestId"] as string);
        report.failedRequests.push({ url: response.url, error: `HTTP ${response.status} ${response.statusText ?? ""}`.trim() });
        break;
      }
      case "Fetch.requestPaused": {
        // Only the workspace's own files load: a page must not pull ~/.ssh or /etc into the report.
        const request = params["request"] as { url: string; method: string };
        void servePageRequest(page.root, request.method, request.url)
          .catch((): PageResponse => ({ kind: "refuse" }))
          .then((response) => channel.send(...answer(params["requestId"], response)))
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
  const navigation = await channel.send("Page.navigate", { url: pageUrl(page.path) });
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
