import { session, shell, type WebContents } from "electron";
import { isOpenableExternally } from "./external-link";

/** True for the renderer's own files and nothing else. */
export function isAppUrl(url: string, rendererIndexUrl: string): boolean {
  try {
    const target = new URL(url);
    const app = new URL(rendererIndexUrl);
    return target.protocol === "file:" && target.pathname === app.pathname;
  } catch {
    return false;
  }
}

/** Electron's security checklist: no navigation, no new windows (Hub pages open in the browser), no permissions. */
export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function hardenWebContents(contents: WebContents, rendererIndexUrl: string): void {
  contents.on("will-navigate", (event, url) => {
    if (!isAppUrl(url, rendererIndexUrl)) event.preventDefault();
  });
  contents.on("will-redirect", (event) => event.preventDefault());
  contents.on("will-attach-webview", (event) => event.preventDefault());
  // A Hub page (a gated repo's terms) opens in the user's browser; the app never opens a window.
  contents.setWindowOpenHandler(({ url }) => {
    if (isOpenableExternally(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
}
