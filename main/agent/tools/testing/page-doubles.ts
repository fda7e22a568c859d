import { launchChromium } from "../chromium-page-checker";
import type { PageWindow } from "../electron-page-checker";
import type { ChromiumJail } from "../../sandbox/chromium-sandbox";

/**
 * No jail: the browser shares this process's network namespace, as Electron's own Chromium does.
 * Only for the Electron double and for tests that show what the flags alone stop.
 */
export const HOST_NETWORK: Pick<ChromiumJail, "wrap"> = {
  wrap: async (command) => ({ argv: [...command], env: process.env }),
};

/**
 * A test double of Electron's BrowserWindow (Electron's binary is absent here): its webContents.debugger
 * is a real page of a real headless Chromium, so ElectronPageChecker's own code runs against a real browser.
 */
export async function chromiumBackedWindow(binary: string, calls: string[]): Promise<PageWindow> {
  // Electron's window lives in the app's own network namespace: so does this browser, with the same WebRTC policy.
  const browser = await launchChromium(binary, Date.now() + 20_000, HOST_NETWORK);
  const page = await browser.cdp.openPage();
  return {
    webContents: {
      debugger: {
        attach: (version) => void calls.push(`attach ${version}`),
        detach: () => void calls.push("detach"),
        sendCommand: (method, params) => page.send(method, params),
        on: (_event, listener) => page.onEvent((method, params) => listener({}, method, params)),
      },
      setWebRTCIPHandlingPolicy: (policy) => void calls.push(`webrtc ${policy}`),
      session: {
        setProxy: async (config) => void calls.push(`proxy ${config.proxyRules}`),
        webRequest: { onBeforeRequest: () => void calls.push("webRequest gate") },
        setPermissionRequestHandler: (handler) =>
          handler({}, "media", (granted) => void calls.push(`permission media ${granted ? "granted" : "denied"}`)),
        setPermissionCheckHandler: (handler) => void calls.push(`permission check ${String(handler())}`),
      },
    },
    destroy: () => {
      calls.push("destroy");
      void browser.close();
    },
  };
}

