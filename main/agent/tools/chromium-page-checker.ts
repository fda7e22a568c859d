import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { access, chmod, constants, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { chromiumJail } from "../sandbox/chromium-sandbox";
import type { ChromiumJail } from "../sandbox/chromium-sandbox";
import { collectPageReport, pageCheckFailure } from "./cdp-page-report";
import { Cdp } from "./cdp-pipe";
import type { PageChecker, PageReport, PageTarget } from "./check-page";

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
 * The page's network is gone twice over. The jail (chromium-sandbox.ts) leaves the browser no route
 * anywhere; and inside it host names resolve to nothing, every request goes to a proxy on a closed
 * port (loopback too), and WebRTC may not send UDP except through that proxy (which has none): the
 * same policy the Electron checker sets, where no namespace is possible.
 */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  // Chromium's own sandbox cannot start as root or without user namespaces; the jail stands in for it.
  "--no-sandbox",
  "--remote-debugging-pipe",
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
  "--proxy-bypass-list=<-loopback>",
  "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
  "--webrtc-ip-handling-policy=disable_non_proxied_udp",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-extensions",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-gpu",
  "--mute-audio",
] as const;

/**
 * A headless Chromium per check, driven over the DevTools pipe, in a network jail, with a fresh
 * profile, killed afterwards. It never sees the workspace: the page and its files come from
 * page-server.ts through DevTools, under a synthetic origin.
 */
export class ChromiumPageChecker implements PageChecker {
  readonly name: string;

  constructor(
    private readonly binary: string,
    private readonly jail: () => Promise<Pick<ChromiumJail, "wrap">> = () => chromiumJail(),
  ) {
    this.name = `headless Chromium (${binary})`;
  }

  async check(page: PageTarget, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<PageReport> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Fails closed, before any browser starts, where no jail can be made.
    const jail = await this.jail();
    const browser = await launchChromium(this.binary, deadline, jail, [page.root]);
    const abort = () => browser.cdp.close();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      return await collectPageReport(await browser.cdp.openPage(), page, deadline);
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

/** A throwaway headless Chromium inside `jail`, with `hidden` host paths out of its sight, connected over its DevTools pipe. */
export async function launchChromium(binary: string, deadline: number, jail: Pick<ChromiumJail, "wrap">, hidden: readonly string[] = []): Promise<LaunchedChromium> {
  const profile = await mkdtemp(join(tmpdir(), "m2d-check-page-"));
  await chmod(profile, 0o700);
  let browser: ChildProcess | undefined;
  let release: (() => Promise<void>) | undefined;
  const close = async () => {
    if (browser) {
      const exited = new Promise((resolve) => (browser!.exitCode !== null || browser!.signalCode !== null ? resolve(null) : browser!.once("exit", resolve)));
      killGroup(browser);
      await exited;
    }
    await release?.().catch(() => undefined);
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    const wrapped = await jail.wrap([binary, ...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"], { profile, hidden });
    release = wrapped.release;
    browser = spawn(wrapped.argv[0]!, wrapped.argv.slice(1), { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true, env: wrapped.env });
    // A spawn failure surfaces through ready(); without a listener it would crash the process.
    browser.on("error", () => undefined);
    let stderr = "";
    browser.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
    const cdp = new Cdp(browser.stdio[3] as Writable, browser.stdio[4] as Readable);
    await ready(browser, cdp, deadline, () => stderr);
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

/** The browser answers over its pipe, or says why not: it exited (with its last words) or the deadline passed. */
async function ready(browser: ChildProcess, cdp: Cdp, deadline: number, stderr: () => string): Promise<void> {
  let fail: (error: AppError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const exited = () => fail(new AppError("internal", `Chromium exited before it could load the page: ${stderr().trim().slice(-500) || "no output"}`, { reason: "browser_failed" }));
  browser.once("exit", exited);
  browser.once("error", exited);
  const timer = setTimeout(() => fail(new AppError("internal", "Chromium did not start in time.", { reason: "browser_timeout" })), Math.max(0, deadline - Date.now()));
  try {
    await Promise.race([cdp.send("Browser.getVersion", {}, false), failed]);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The pipe closed first: the exit, with its stderr, is a moment behind.
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 500))]);
    throw new AppError("internal", `Chromium closed its DevTools pipe: ${stderr().trim().slice(-500) || "no output"}`, { reason: "browser_failed" });
  } finally {
    clearTimeout(timer);
    browser.off("exit", exited);
    browser.off("error", exited);
  }
}
