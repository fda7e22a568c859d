/**
 * The Electron app's life cycle, apart from Electron itself so it can be tested (its binary is not installed
 * everywhere): one app per user (a second launch focuses the first window and quits), and a quit that waits
 * for the backend to close, so SQLite is checkpointed and running downloads are paused with their progress saved.
 */

/** The part of Electron's `app` this uses. */
export interface LifecycleApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  exit(code?: number): void;
  on(event: "second-instance", listener: () => void): unknown;
  on(event: "before-quit", listener: (event: { preventDefault(): void }) => void): unknown;
}

/** The part of a BrowserWindow that bringing it forward uses. */
export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/**
 * Takes the single-instance lock. False in a second instance, which has already been told to quit; in the first,
 * every later launch brings its window forward instead of opening a second backend on the same data folder.
 */
export function claimSingleInstance(app: LifecycleApp, mainWindow: () => FocusableWindow | undefined): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on("second-instance", () => {
    const window = mainWindow();
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}

/** A backend that has not closed in this long is stuck (a wedged engine): quit anyway. */
export const CLOSE_TIMEOUT_MS = 15_000;

/**
 * Holds the first quit until `close()` settles, then quits for real. Further quits while closing are held too.
 * Errors and a close past the timeout are logged, and the app still quits.
 */
export function closeBeforeQuit(
  app: LifecycleApp,
  close: () => Promise<void>,
  log: (level: string, message: string) => void,
  timeoutMs = CLOSE_TIMEOUT_MS,
): void {
  let state: "running" | "closing" | "closed" = "running";
  app.on("before-quit", (event) => {
    if (state === "closed") return;
    event.preventDefault();
    if (state === "closing") return;
    state = "closing";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log("warn", `The backend did not close within ${timeoutMs} ms; quitting anyway.`);
        resolve();
      }, timeoutMs);
    });
    void Promise.race([close().catch((error: unknown) => log("error", `Closing the backend failed: ${String(error)}`)), timeout]).then(() => {
      clearTimeout(timer);
      state = "closed";
      app.quit();
    });
  });
}
