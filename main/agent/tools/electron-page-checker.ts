import { randomUUID } from "node:crypto";
import { collectPageReport, pageCheckFailure } from "./cdp-page-report";
import type { CdpChannel } from "./cdp-page-report";
import type { PageChecker, PageReport, PageTarget } from "./check-page";
import { PAGE_ORIGIN } from "./page-server";

/** The parts of Electron's BrowserWindow that check_page uses (structural, so this module never loads electron). */
export interface PageWindow {
  webContents: {
    debugger: {
      attach(protocolVersion?: string): void;
      detach(): void;
      sendCommand(method: string, params?: Record<string, unknown>): Promise<unknown>;
      on(event: "message", listener: (event: unknown, method: string, params: Record<string, unknown>) => void): unknown;
    };
    setWebRTCIPHandlingPolicy(policy: "disable_non_proxied_udp"): void;
    session: {
      setProxy(config: { proxyRules: string; proxyBypassRules?: string }): Promise<void>;
      webRequest: { onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void };
      setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
      setPermissionCheckHandler(handler: () => boolean): void;
    };
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

/** What the window's session lets through at all: the synthetic origin, and URLs that never leave the renderer. */
export function sessionAllows(url: string): boolean {
  return url.startsWith(`${PAGE_ORIGIN}/`) || /^(data|blob|about):/i.test(url);
}

/**
 * The app's own process cannot move to another network namespace, so the window's session is
 * closed at every level Electron has: WebRTC may not send UDP except through the proxy, the proxy is
 * a closed port, every request outside the synthetic origin (ws:, file:, http…) is cancelled before
 * it starts, and every permission (camera, geolocation…) is denied. The headless checker's test of
 * the same WebRTC policy, in the host's network, shows it sends no UDP.
 */
async function lockSession(window: PageWindow): Promise<void> {
  const { session } = window.webContents;
  window.webContents.setWebRTCIPHandlingPolicy("disable_non_proxied_udp");
  await session.setProxy({ proxyRules: "http://127.0.0.1:9", proxyBypassRules: "<-loopback>" });
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !sessionAllows(details.url) }));
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * check_page inside Electron, where a Chromium is always at hand: a hidden window per check, driven
 * through webContents.debugger with the same collector (the same Fetch gate and page server) as
 * headless Chromium, its session locked down (lockSession), destroyed afterwards.
 */
export class ElectronPageChecker implements PageChecker {
  readonly name = "a hidden Electron window";

  constructor(private readonly openWindow: () => PageWindow | Promise<PageWindow>) {}

  async check(page: PageTarget, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<PageReport> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const window = await this.openWindow();
    const { debugger: devtools } = window.webContents;
    const abort = () => window.destroy();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      await lockSession(window);
      devtools.attach("1.3");
      const channel: CdpChannel = {
        send: async (method, params) => (await devtools.sendCommand(method, params ?? {})) as Record<string, unknown>,
        onEvent: (handler) => void devtools.on("message", (_event, method, params) => handler(method, params)),
      };
      return await collectPageReport(channel, page, deadline);
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
