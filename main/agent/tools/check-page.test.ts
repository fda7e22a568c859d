import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHECK_PAGE_UNAVAILABLE } from "./check-page";
import type { PageChecker, PageReport } from "./check-page";
import { chromiumJail } from "../sandbox/chromium-sandbox";
import { findChromium } from "./chromium-page-checker";
import { ElectronPageChecker, pageWindowOptions, sessionAllows } from "./electron-page-checker";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { runToolCall } from "./registry";
import { chromiumBackedWindow } from "./testing/page-doubles";

let root: string;
let ws: string;
let ctx: ToolContext;
const chromium = await findChromium();
// The headless checker refuses to run without a network namespace to put the browser in.
const jailed = await chromiumJail().then(
  () => true,
  () => false,
);

const BROKEN_PAGE = `<!doctype html>
<html><head><title>Broken page</title></head>
<body>
<img src="https://example.com/x.png">
<script>
console.error("total is", 41 + 1);
console.warn("deprecated widget");
undefinedFunction();
</script>
</body></html>`;

const CLEAN_PAGE = `<!doctype html><html><head><title>Clean</title></head><body><p>Hello</p><script>console.log("fine")</script></body></html>`;

async function checkPage(context: ToolContext, path: string) {
  return runToolCall(context, { name: "check_page", arguments: { path } }, { mode: "ask" }, async () => {
    throw new Error("check_page is read-only and must never ask");
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-check-page-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "broken.html"), BROKEN_PAGE);
  writeFileSync(join(ws, "clean.html"), CLEAN_PAGE);
  writeFileSync(join(root, "outside.html"), CLEAN_PAGE);
  symlinkSync(join(root, "outside.html"), join(ws, "link.html"));
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox: { kind: "none", reason: "not needed here" } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!chromium || !jailed)("check_page in headless Chromium (needs chromium, and bwrap or unshare -n)", () => {
  test("reports the uncaught exception, the console error and warning, and the blocked request", async () => {
    const run = await checkPage(ctx, "broken.html");
    expect(run.decision).toMatchObject({ kind: "allow", tool: "check_page" });
    expect(run.result.ok).toBe(true);
    const report = (run.result as { data: PageReport }).data;
    expect(report.title).toBe("Broken page");
    expect(report.loaded).toBe(true);
    expect(report.exceptions).toHaveLength(1);
    expect(report.exceptions[0]!.text).toMatch(/ReferenceError: undefinedFunction is not defined/);
    expect(report.exceptions[0]!.location).toMatch(/broken\.html:8:/);
    expect(report.consoleErrors.map((e) => e.text)).toEqual(["total is 42"]);
    expect(report.consoleWarnings.map((e) => e.text)).toEqual(["deprecated widget"]);
    expect(report.failedRequests).toHaveLength(1);
    expect(report.failedRequests[0]!.url).toBe("https://example.com/x.png");
    expect(report.failedRequests[0]!.error).toMatch(/^net::ERR_/);
    expect(run.result.content).toContain('title: "Broken page"');
    expect(run.result.content).toContain("uncaught exceptions (1):");
    expect(run.result.content).toContain("failed requests (1):\n- https://example.com/x.png: net::ERR_");
  }, 60_000);

  test("the page cannot load files from outside the workspace, directly or through a symlink", async () => {
    writeFileSync(join(root, "secret.js"), 'console.error("SECRET-FROM-OUTSIDE")');
    symlinkSync(join(root, "secret.js"), join(ws, "linked-secret.js"));
    writeFileSync(join(ws, "local.js"), 'console.warn("local script ran")');
    writeFileSync(join(ws, "nosy.html"), '<title>Nosy</title><script src="../secret.js"></script><script src="linked-secret.js"></script><script src="local.js"></script>');
    const run = await checkPage(ctx, "nosy.html");
    const report = (run.result as { data: PageReport }).data;
    expect(run.result.content).not.toContain("SECRET-FROM-OUTSIDE");
    expect(report.consoleWarnings.map((w) => w.text)).toEqual(["local script ran"]);
    expect(report.failedRequests.map((r) => [r.url.replace(/^.*\//, ""), r.error]).sort()).toEqual([
      ["linked-secret.js", "net::ERR_ACCESS_DENIED"],
      // ../ stops at the synthetic origin's root: the workspace has no secret.js of its own.
      ["secret.js", "HTTP 404 Not Found"],
    ]);
  }, 60_000);

  test("a page with CSS, scripts, a module and an image in subfolders loads them all (and a symlink inside the workspace)", async () => {
    mkdirSync(join(ws, "site/css"), { recursive: true });
    mkdirSync(join(ws, "site/js"));
    mkdirSync(join(ws, "site/img"));
    mkdirSync(join(ws, "shared"));
    writeFileSync(join(ws, "site/css/style.css"), "body { color: rgb(255, 0, 0); }");
    writeFileSync(join(ws, "site/js/app.js"), 'window.parts = ["js"];');
    writeFileSync(join(ws, "site/js/mod.mjs"), 'import { word } from "./word.mjs"; window.parts.push(word);');
    writeFileSync(join(ws, "site/js/word.mjs"), 'export const word = "module";');
    writeFileSync(join(ws, "shared/lib.js"), 'window.parts.push("linked");');
    symlinkSync("../../shared/lib.js", join(ws, "site/js/lib.js"));
    // A 1x1 PNG.
    writeFileSync(join(ws, "site/img/dot.png"), Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
    writeFileSync(
      join(ws, "site/index.html"),
      `<!doctype html><html><head><title>site</title><link rel="stylesheet" href="css/style.css">
<script src="js/app.js"></script><script src="js/lib.js"></script><script type="module" src="js/mod.mjs"></script></head>
<body><img id="dot" src="img/dot.png"><script type="module">
const img = document.getElementById("dot"); await img.decode();
const data = await (await fetch("css/style.css")).text();
document.title = [getComputedStyle(document.body).color, img.naturalWidth + "x" + img.naturalHeight, ...window.parts, data.length].join(" ");
</script><script>missing();</script></body></html>`,
    );
    const run = await checkPage(ctx, "site/index.html");
    const report = (run.result as { data: PageReport }).data;
    expect(report.title).toBe("rgb(255, 0, 0) 1x1 js linked module 31");
    expect(report.exceptions.map((e) => [e.text.split("\n")[0], e.location])).toEqual([
      ["ReferenceError: missing is not defined", expect.stringMatching(/^http:\/\/page\.m2d\.invalid\/site\/index\.html:7:/)],
    ]);
    expect(report.failedRequests).toEqual([]);
    expect(run.result.content).toContain("the workspace is served as http://page.m2d.invalid/");
  }, 60_000);

  test("a clean page reports no problems", async () => {
    const run = await checkPage(ctx, "clean.html");
    const report = (run.result as { data: PageReport }).data;
    expect(report).toMatchObject({ title: "Clean", loaded: true, consoleErrors: [], consoleWarnings: [], exceptions: [], failedRequests: [] });
    expect(run.result.content).toContain("loaded; no problems found");
  }, 60_000);
});

describe.skipIf(!chromium)("ElectronPageChecker through a BrowserWindow test double (a real headless Chromium page; Electron's binary is absent here)", () => {
  test("reports the same problems, through the window's debugger, and destroys the window", async () => {
    const calls: string[] = [];
    const checker = new ElectronPageChecker(() => chromiumBackedWindow(chromium!, calls));
    const run = await checkPage({ ...ctx, pageChecker: checker }, "broken.html");
    const report = (run.result as { data: PageReport }).data;
    expect(report).toMatchObject({ title: "Broken page", loaded: true });
    expect(report.exceptions.map((e) => e.text)).toEqual([expect.stringContaining("ReferenceError: undefinedFunction is not defined")]);
    expect(report.consoleErrors.map((e) => e.text)).toEqual(["total is 42"]);
    expect(report.failedRequests.map((r) => r.url)).toEqual(["https://example.com/x.png"]);
    expect(run.result.content).toContain("in a hidden Electron window");
    expect(calls).toEqual([
      "webrtc disable_non_proxied_udp",
      "proxy http://127.0.0.1:9",
      "webRequest gate",
      "permission media denied",
      "permission check false",
      "attach 1.3",
      "detach",
      "destroy",
    ]);
  }, 60_000);
});

describe("ElectronPageChecker's window and session", () => {
  test("the window it asks Electron for is hidden, sandboxed, without node, in a throwaway session", () => {
    const options = pageWindowOptions() as { show: boolean; webPreferences: Record<string, unknown> };
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(options.webPreferences["partition"]).toMatch(/^check-page-[0-9a-f-]{36}$/);
    expect(pageWindowOptions()).not.toEqual(options);
  });

  test("its session lets only the synthetic origin and renderer-local URLs through", () => {
    for (const url of ["http://page.m2d.invalid/index.html", "data:text/plain,x", "blob:http://page.m2d.invalid/1", "about:blank"]) expect(sessionAllows(url), url).toBe(true);
    for (const url of ["file:///etc/passwd", "http://127.0.0.1:8080/", "ws://127.0.0.1/", "https://page.m2d.invalid/", "http://page.m2d.invalid.evil.com/", "http://page.m2d.invalid@evil.com/"]) {
      expect(sessionAllows(url), url).toBe(false);
    }
  });
});

describe("check_page's guard and fallbacks", () => {
  test("paths outside the workspace are refused before any browser starts", async () => {
    const neverUsed: PageChecker = {
      name: "a checker that must not be reached",
      check: async () => {
        throw new Error("should not load");
      },
    };
    const guarded = { ...ctx, pageChecker: neverUsed };
    for (const [path, reason] of [["../outside.html", "outside_workspace"], [join(root, "outside.html"), "outside_workspace"], ["link.html", "symlink_escape"]] as const) {
      const run = await checkPage(guarded, path);
      expect(run.decision, path).toBeNull();
      expect(run.result, path).toMatchObject({ ok: false, error: { code: "bad_request", details: { reason } } });
    }
  });

  test("CHROME_PATH wins; a missing binary is skipped; with none found the model is told clearly", async () => {
    expect(await findChromium({ CHROME_PATH: "/bin/true" }, [])).toBe("/bin/true");
    expect(await findChromium({ CHROME_PATH: join(root, "no-chrome") }, [])).toBeNull();
    const run = await checkPage({ ...ctx, pageChecker: null }, "clean.html");
    expect(run.result).toMatchObject({ ok: false, content: `Error: ${CHECK_PAGE_UNAVAILABLE}`, error: { details: { reason: "no_browser" } } });
    expect(CHECK_PAGE_UNAVAILABLE).toContain("check_page is unavailable: no Chromium found");
  });
});
