import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { access, constants, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { AppError } from "../../../app/contract/errors";
import { collectPageReport, pageCheckFailure } from "./cdp-page-report";
import type { CdpChannel } from "./cdp-page-report";
import type { PageChecker, PageReport } from "./check-page";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];

/** CHROME_PATH (or the e2e suite's M2D_CHROMIUM) first, then the usual install paths. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CANDIDATES): Promise<string | null> {
  for (const path of [env["CHROME_PATH"], env["M2D_CHROMIUM"], ...candidates]) {
    if (path && (await access(path, constants.X_OK).then(() => true, () => false))) return path;
  }
  return null;
}

const DEFAULT_TIMEOUT_MS = 20_000;

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
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const browser = await launchChromium(this.binary, deadline);
    const abort = () => browser.cdp.close();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      return await collectPageReport(await browser.cdp.openPage(), fileUrl, options.rootUrl, deadline);
    } catch (error) {
      throw pageCheckFailure(error, options.signal);
    } finally {
      options.signal?.removeEventListener("abort", abort);
      await browser.close();
    }
  }
}

export interface LaunchedChromium {
  cdp: Cdp;
  /** Kills the browser's whole process group and removes its profile. */
  close(): Promise<void>;
}

/** A throwaway headless Chromium with the network unreachable, connected over its DevTools WebSocket. */
export async function launchChromium(binary: string, deadline: number): Promise<LaunchedChromium> {
  const profile = await mkdtemp(join(tmpdir(), "m2d-check-page-"));
  const browser = spawn(
    binary,
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
  const close = async () => {
    killGroup(browser);
    await new Promise((resolve) => (browser.exitCode !== null || browser.signalCode !== null ? resolve(null) : browser.once("exit", resolve)));
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    const cdp = await Cdp.connect(await waitForEndpoint(browser, profile, deadline, () => stderr));
    return {
      cdp,
      close: async () => {
        cdp.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
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
export class Cdp {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private sessionId: string | undefined;
  private onEvent: (method: string, params: Record<string, unknown>) => void = () => undefined;

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

  /** A fresh page target, attached as a flattened session: the channel the page report is collected over. */
  async openPage(): Promise<CdpChannel> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" }, false);
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true }, false);
    this.sessionId = sessionId as string;
    return { send: (method, params) => this.send(method, params), onEvent: (handler) => (this.onEvent = handler) };
  }

  close(): void {
    this.socket.terminate();
  }
}
