import { session, type WebContents } from "electron";

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

/** Electron's security checklist: no navigation, no new windows, no permissions. */
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
  contents.setWindowOpenHandler(() => ({ action: "deny" }));
}
