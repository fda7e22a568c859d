import { randomUUID } from "node:crypto";
import { collectPageReport, pageCheckFailure } from "./cdp-page-report";
import type { CdpChannel } from "./cdp-page-report";
import type { PageChecker, PageReport } from "./check-page";

/** The parts of Electron's BrowserWindow that check_page uses (structural, so this module never loads electron). */
export interface PageWindow {
  webContents: {
    debugger: {
      attach(protocolVersion?: string): void;
      detach(): void;
      sendCommand(method: string, params?: Record<string, unknown>): Promise<unknown>;
      on(event: "message", listener: (event: unknown, method: string, params: Record<string, unknown>) => void): unknown;
    };
    session: { setProxy(config: { proxyRules: string; proxyBypassRules?: string }): Promise<void> };
  };
  destroy(): void;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Hidden, sandboxed, no node, and its own in-memory session (a partition without `persist:`). */
export function pageWindowOptions(): Record<string, unknown> {
  return {
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false, backgroundThrottling: false, partition: `check-page-${randomUUID()}` },
  };
}

/**
 * check_page inside Electron, where a Chromium is always at hand: a hidden window per check, driven
 * through webContents.debugger with the same collector (and the same Fetch gate) as headless Chromium,
 * its session's proxy pointed at a closed port, destroyed afterwards.
 */
export class ElectronPageChecker implements PageChecker {
  readonly name = "a hidden Electron window";

  constructor(private readonly openWindow: () => PageWindow | Promise<PageWindow>) {}

  async check(fileUrl: string, options: { rootUrl: string; signal?: AbortSignal; timeoutMs?: number }): Promise<PageReport> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const window = await this.openWindow();
    const { debugger: devtools, session } = window.webContents;
    const abort = () => window.destroy();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      await session.setProxy({ proxyRules: "http://127.0.0.1:9", proxyBypassRules: "<-loopback>" });
      devtools.attach("1.3");
      const channel: CdpChannel = {
        send: async (method, params) => (await devtools.sendCommand(method, params ?? {})) as Record<string, unknown>,
        onEvent: (handler) => void devtools.on("message", (_event, method, params) => handler(method, params)),
      };
      return await collectPageReport(channel, fileUrl, options.rootUrl, deadline);
    } catch (error) {
      throw pageCheckFailure(error, options.signal);
    } finally {
      options.signal?.removeEventListener("abort", abort);
      try {
        devtools.detach();
      } catch {
        // the window is already gone
      }
      window.destroy();
    }
  }
}
