import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createBackend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { dataLockPath } from "../storage/data-lock";
import { claimSingleInstance, closeBeforeQuit, type FocusableWindow, type LifecycleApp } from "./app-lifecycle";

// Electron's binary is not installed here: `AppDouble` and `WindowDouble` are recording doubles of the parts of
// Electron's `app` and `BrowserWindow` the life cycle uses. `AppDouble.quit()` emits before-quit and, unless a
// listener prevents it, counts a real quit, as Electron does.

class AppDouble extends EventEmitter implements LifecycleApp {
  quits = 0;
  exits: Array<number | undefined> = [];
  constructor(private readonly lockGranted: boolean) {
    super();
  }
  requestSingleInstanceLock() {
    return this.lockGranted;
  }
  quit() {
    let prevented = false;
    this.emit("before-quit", { preventDefault: () => (prevented = true) });
    if (!prevented) this.quits++;
  }
  exit(code?: number) {
    this.exits.push(code);
  }
}

class WindowDouble implements FocusableWindow {
  calls: string[] = [];
  constructor(private minimized: boolean, private destroyed = false) {}
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
    this.calls.push("restore");
  }
  show() {
    this.calls.push("show");
  }
  focus() {
    this.calls.push("focus");
  }
}

describe("one app per user (Electron app/BrowserWindow doubles)", () => {
  it("a second instance quits at once and starts nothing", () => {
    const second = new AppDouble(false);
    expect(claimSingleInstance(second, () => undefined)).toBe(false);
    expect(second.quits).toBe(1);
    expect(second.listenerCount("second-instance")).toBe(0);
  });

  it("the first instance restores and focuses its window when another launch is attempted", () => {
    const first = new AppDouble(true);
    const window = new WindowDouble(true);
    let current: WindowDouble | undefined;
    expect(claimSingleInstance(first, () => current)).toBe(true);
    first.emit("second-instance"); // before the window exists: nothing to do, no throw
    current = window;
    first.emit("second-instance");
    expect(window.calls).toEqual(["restore", "show", "focus"]);
    first.emit("second-instance");
    expect(window.calls.slice(3)).toEqual(["show", "focus"]); // no longer minimized
    current = new WindowDouble(false, true);
    expect(() => first.emit("second-instance")).not.toThrow(); // a destroyed window is left alone
    expect(first.quits).toBe(0);
  });
});

describe("quit waits for the backend to close (Electron app double)", () => {
  it("holds the quit until close() resolves, holds repeated quits, then quits once", async () => {
    const app = new AppDouble(true);
    let finishClose!: () => void;
    let closes = 0;
    closeBeforeQuit(app, () => (closes++, new Promise<void>((resolve) => (finishClose = resolve))), () => undefined);
    app.quit();
    app.quit(); // e.g. window-all-closed and Cmd+Q together
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes).toBe(1);
    expect(app.quits).toBe(0); // still closing: SQLite and the downloads are not flushed yet
    finishClose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(app.quits).toBe(1);
  });

  it("quits only after a real backend has closed: its database is closed and the data folder is free", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "m2d-quit-"));
    const fixture = join(import.meta.dirname, "..", "engine", "fixtures", "fake-engine.mjs");
    const backend = createBackend({ dataDir, ownerKind: "electron", spawnEngine: forkSpawner(fixture), log: () => undefined });
    const app = new AppDouble(true);
    let closedBeforeQuit: boolean | undefined;
    const realQuit = app.quit.bind(app);
    closeBeforeQuit(app, () => backend.close(), () => undefined);
    app.quit = () => {
      realQuit();
      if (app.quits === 1 && closedBeforeQuit === undefined) closedBeforeQuit = !backend.db.open && !existsSync(dataLockPath(dataDir));
    };
    app.quit();
    expect(app.quits).toBe(0);
    expect(existsSync(dataLockPath(dataDir))).toBe(true);
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (app.quits === 0 && Date.now() - started < 10_000) return;
        clearInterval(poll);
        if (app.quits > 0) resolve();
        else reject(new Error("never quit"));
      }, 10);
    });
    expect(closedBeforeQuit).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("quits even when close() fails or hangs, and logs why", async () => {
    const failing = new AppDouble(true);
    const logged: string[] = [];
    closeBeforeQuit(failing, () => Promise.reject(new Error("disk gone")), (_level, message) => logged.push(message));
    failing.quit();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failing.quits).toBe(1);
    expect(logged).toEqual(["Closing the backend failed: Error: disk gone"]);

    const hanging = new AppDouble(true);
    closeBeforeQuit(hanging, () => new Promise<void>(() => undefined), (_level, message) => logged.push(message), 30);
    hanging.quit();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(hanging.quits).toBe(1);
    expect(logged[1]).toMatch(/did not close within 30 ms/);
  });
});
