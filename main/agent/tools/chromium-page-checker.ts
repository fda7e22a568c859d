import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { access, constants, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { AppError } from "../../../app/contract/errors";
import type { PageChecker, PageProblem, PageReport } from "./check-page";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];

/** CHROME_PATH (or the e2e suite's M2D_CHROMIUM) first, then the usual install paths. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CANDIDATES): Promise<string | null> {
  for (const path of [env["CHROME_PATH"], env["M2D_CHROMIUM"], ...candidates]) {
    if (path && (await access(path, constants.X_OK).then(() => true, () => false))) return path;
  }
  return null;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** After the load event, how long late errors (timers, failed lazy requests) are still collected. */
const SETTLE_MS = 1500;

/**
 * A headless Chromium per check, driven over the DevTools protocol. Every request leaves for nowhere:
 * host names resolve to nothing and everything else goes to a proxy on a closed port (loopback too).
 * --no-sandbox because Chromium's own sandbox cannot start as root or without user namespaces; the
 * page gets a fresh profile, no network and only file:// access, and the browser is killed afterwards.
 */
export class ChromiumPageChecker implements PageChecker {
  readonly name: string;

  constructor(private readonly binary: string) {
    this.name = `headless Chromium (${binary})`;
  }

  async check(fileUrl: string, options: { rootUrl: string; signal?: AbortSignal; timeoutMs?: number }): Promise<PageReport> {
    const profile = await mkdtemp(join(tmpdir(), "m2d-check-page-"));
    const browser = spawn(
      this.binary,
      [
        "--headless=new",
        "--no-sandbox",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-gpu",
        "--mute-audio",
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    let stderr = "";
    browser.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const endpoint = await waitForEndpoint(browser, profile, deadline, () => stderr);
      return await inspectPage(endpoint, fileUrl, options.rootUrl, deadline, options.signal);
    } finally {
      killGroup(browser);
      await new Promise((resolve) => (browser.exitCode !== null || browser.signalCode !== null ? resolve(null) : browser.once("exit", resolve)));
      await rm(profile, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Chromium writes its port and browser target path to <profile>/DevToolsActivePort once it listens. */
async function waitForEndpoint(browser: ChildProcess, profile: string, deadline: number, stderr: () => string): Promise<string> {
  while (Date.now() < deadline) {
    if (browser.exitCode !== null || browser.signalCode !== null) {
      throw new AppError("internal", `Chromium exited before it could load the page: ${stderr().trim().slice(-500) || "no output"}`, { reason: "browser_failed" });
    }
    const text = await readFile(join(profile, "DevToolsActivePort"), "utf8").catch(() => "");
    const [port, path] = text.split("\n");
    if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
    await sleep(50);
  }
  throw new AppError("internal", "Chromium did not start in time.", { reason: "browser_timeout" });
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** A minimal DevTools client: commands on one flattened page session, events to a handler. */
class Cdp {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  sessionId: string | undefined;
  onEvent: (method: string, params: Record<string, unknown>) => void = () => undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as CdpMessage;
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result ?? {});
      } else if (message.method && message.sessionId === this.sessionId) {
        this.onEvent(message.method, message.params ?? {});
      }
    });
    socket.on("close", () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error("the DevTools connection closed"));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
      socket.once("open", () => resolve(new Cdp(socket)));
      socket.once("error", reject);
    });
  }

  send(method: string, params: Record<string, unknown> = {}, session = true): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params, ...(session && this.sessionId ? { sessionId: this.sessionId } : {}) }));
    });
  }

  close(): void {
    this.socket.terminate();
  }
}

function location(url: unknown, line: unknown, column: unknown): string | undefined {
  if (typeof url !== "string" || url === "") return undefined;
  return typeof line === "number" ? `${url}:${line + 1}:${typeof column === "number" ? column + 1 : 0}` : url;
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

async function inspectPage(endpoint: string, fileUrl: string, rootUrl: string, deadline: number, signal?: AbortSignal): Promise<PageReport> {
  const cdp = await Cdp.connect(endpoint);
  const report: PageReport = { title: "", loaded: false, consoleErrors: [], consoleWarnings: [], exceptions: [], failedRequests: [] };
  const requestUrls = new Map<string, string>();
  let onLoad: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (onLoad = resolve));
  cdp.onEvent = (method, params) => {
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
          .then((inside) => cdp.send(inside ? "Fetch.continueRequest" : "Fetch.failRequest", inside ? { requestId } : { requestId, errorReason: "AccessDenied" }))
          .catch(() => undefined);
        break;
      }
      case "Page.loadEventFired":
        onLoad();
        break;
    }
  };
  const abort = () => cdp.close();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" }, false);
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true }, false);
    cdp.sessionId = sessionId as string;
    await Promise.all([
      cdp.send("Runtime.enable"),
      cdp.send("Log.enable"),
      cdp.send("Network.enable"),
      cdp.send("Page.enable"),
      cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*" }] }),
    ]);
    const navigation = await cdp.send("Page.navigate", { url: fileUrl });
    if (typeof navigation["errorText"] === "string" && navigation["errorText"] !== "") {
      throw new AppError("bad_request", `The page could not be opened: ${navigation["errorText"]}.`, { reason: "navigation_failed" });
    }
    const remaining = () => Math.max(0, deadline - Date.now());
    report.loaded = await Promise.race([loaded.then(() => true), sleep(remaining()).then(() => false)]);
    await sleep(Math.min(SETTLE_MS, remaining()));
    const title = await cdp.send("Runtime.evaluate", { expression: "document.title", returnByValue: true }).catch((): Record<string, unknown> => ({}));
    const value = (title["result"] as { value?: unknown } | undefined)?.value;
    report.title = typeof value === "string" ? value : "";
    return report;
  } catch (error) {
    if (signal?.aborted) throw new AppError("aborted", "check_page was cancelled.", { reason: "aborted" });
    throw error instanceof AppError ? error : new AppError("internal", `check_page failed: ${error instanceof Error ? error.message : String(error)}`, { reason: "browser_failed" });
  } finally {
    signal?.removeEventListener("abort", abort);
    cdp.close();
  }
}

/** A file:// URL whose real path (through symlinks) lies under the real folder `rootUrl` names. */
async function insideRoot(url: string, rootUrl: string): Promise<boolean> {
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

function withLocation(text: string, where: string | undefined): PageProblem {
  return where ? { text, location: where } : { text };
}
