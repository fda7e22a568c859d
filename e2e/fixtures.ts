import { test as base, expect as baseExpect, type Page } from "@playwright/test";
import { ensureTestModel, type TestScenario } from "../node/gguf/m2-test-models";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface HeadlessHost {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Kills the host and starts a new one on the same data dir (a crash and relaunch). */
  restart(): Promise<HeadlessHost>;
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, "..");

/** Starts the real headless host (`m2d serve`) from the build, on a fresh data dir unless given one; `env` adds variables (e.g. HF_ENDPOINT). */
export async function startHeadlessHost(dataDir = mkdtempSync(join(tmpdir(), "m2d-e2e-")), env: NodeJS.ProcessEnv = {}): Promise<HeadlessHost> {
  const child = spawn(process.execPath, [join(root, "dist", "main", "cli", "m2d.js"), "serve", "--port", "0", "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
    // Tiny scripted models on a 2-core box share it with Chromium: one compute thread keeps tokens fast.
    env: { ...process.env, M2D_ENGINE_THREADS: process.env.M2D_ENGINE_THREADS ?? "1", ...env },
  });
  let log = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${log}`)), 20_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`host exited (${code}):\n${log}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  return {
    url,
    dataDir,
    process: child,
    stop,
    async restart() {
      await stop();
      return startHeadlessHost(dataDir, env);
    },
  };
}

export const test = base.extend<{ host: HeadlessHost }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  host: async ({}, use) => {
    const host = await startHeadlessHost();
    await use(host);
    await host.stop();
    rmSync(host.dataDir, { recursive: true, force: true });
  },
});

export { expect } from "@playwright/test";

/** Opens the app and loads a scripted test model through the model picker, on the CPU backend. */
export async function loadScriptedModel(page: Page, url: string, scenario: TestScenario): Promise<void> {
  const path = await ensureTestModel(scenario);
  await page.goto(url);
  await page.getByTestId("model-path").fill(path);
  // CPU: "auto" probes GPU backends, which can wait on a GPU build running on the same machine.
  await page.getByTestId("model-gpu").selectOption("cpu");
  await page.getByTestId("model-load").click();
  await baseExpect(page.getByTestId("model-context")).toBeVisible({ timeout: 90_000 });
}

/** With M2D_SCREENSHOTS=<dir>, writes the page as <dir>/<name>.png (for docs/screenshots); a no-op otherwise. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.M2D_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/**
 * A fresh workspace folder the agent's sandbox also sees (its tmpfs hides /tmp): under /var/cache, /var/lib or
 * the repo, whichever is writable.
 */
export function sandboxVisibleDir(prefix: string): string {
  for (const base of ["/var/cache", "/var/lib", process.cwd()]) {
    try {
      return mkdtempSync(join(base, prefix));
    } catch {
      // not writable here: try the next one
    }
  }
  throw new Error(`No writable folder for a workspace (${prefix}).`);
}
