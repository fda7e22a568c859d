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

/**
 * A page can log or fail requests in a loop for the whole check: the report keeps this many entries
 * per kind, each clipped, so it stays small in the app's heap and in the stored result (the text
 * shows far fewer anyway: MAX_PROBLEMS_PER_KIND).
 */
const MAX_KEPT_PER_KIND = 1000;
const MAX_KEPT_CHARS = 2000;

const clip = (text: string) => (text.length > MAX_KEPT_CHARS ? `${text.slice(0, MAX_KEPT_CHARS)}…` : text);

function keep<T>(list: T[], item: T): void {
  if (list.length < MAX_KEPT_PER_KIND) list.push(item);
}

function withLocation(text: string, where: string | undefined): PageProblem {
  return where ? { text: clip(text), location: clip(where) } : { text: clip(text) };
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
  let serving: Promise<unknown> = Promise.resolve();
  let onLoad: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (onLoad = resolve));
  channel.onEvent((method, params) => {
    switch (method) {
      case "Runtime.exceptionThrown": {
        const details = params["exceptionDetails"] as { text?: string; exception?: { description?: string }; url?: string; lineNumber?: number; columnNumber?: number };
        const text = details.exception?.description ?? details.text ?? "uncaught exception";
        keep(report.exceptions, withLocation(text, location(details.url, details.lineNumber, details.columnNumber)));
        break;
      }
      case "Runtime.consoleAPICalled": {
        const type = params["type"];
        const frame = (params["stackTrace"] as { callFrames?: Array<{ url?: string; lineNumber?: number; columnNumber?: number }> } | undefined)?.callFrames?.[0];
        const problem = withLocation(consoleText(params["args"]), location(frame?.url, frame?.lineNumber, frame?.columnNumber));
        if (type === "error" || type === "assert") keep(report.consoleErrors, problem);
        else if (type === "warning") keep(report.consoleWarnings, problem);
        break;
      }
      case "Log.entryAdded": {
        const entry = params["entry"] as { level?: string; text?: string; source?: string; url?: string; lineNumber?: number };
        // Failed loads are reported once, from the Network domain, with their URL.
        if (entry.source === "network") break;
        const problem = withLocation(entry.text ?? "", location(entry.url, entry.lineNumber, undefined));
        if (entry.level === "error") keep(report.consoleErrors, problem);
        else if (entry.level === "warning") keep(report.consoleWarnings, problem);
        break;
      }
      case "Network.requestWillBeSent":
        requestUrls.set(params["requestId"] as string, clip((params["request"] as { url: string }).url));
        break;
      case "Network.loadingFinished":
        // Forgotten once done, so a page fetching in a loop does not grow these.
        requestUrls.delete(params["requestId"] as string);
        erroredRequests.delete(params["requestId"] as string);
        break;
      case "Network.loadingFailed": {
        const id = params["requestId"] as string;
        const url = requestUrls.get(id) ?? "(unknown URL)";
        requestUrls.delete(id);
        // An error status already said what went wrong; the aborted body after it adds nothing.
        if (erroredRequests.delete(id)) break;
        const reason = params["blockedReason"] ? `${String(params["errorText"])} (blocked: ${String(params["blockedReason"])})` : String(params["errorText"]);
        keep(report.failedRequests, { url, error: clip(reason) });
        break;
      }
      case "Network.responseReceived": {
        const response = params["response"] as { url: string; status: number; statusText?: string };
        if (response.status < 400) break;
        erroredRequests.add(params["requestId"] as string);
        keep(report.failedRequests, { url: clip(response.url), error: clip(`HTTP ${response.status} ${response.statusText ?? ""}`.trim()) });
        break;
      }
      case "Fetch.requestPaused": {
        // Only the workspace's own files load: a page must not pull ~/.ssh or /etc into the report.
        const request = params["request"] as { url: string; method: string };
        // One at a time: a page fetching a 32 MiB file in parallel a hundred times holds one copy, not a hundred.
        serving = serving.then(() =>
          servePageRequest(page.root, request.method, request.url)
            .catch((): PageResponse => ({ kind: "refuse" }))
            .then((response) => channel.send(...answer(params["requestId"], response)))
            .catch(() => undefined),
        );
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
