import { expect, test, type Page } from "@playwright/test";
import { createReadStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { startHeadlessHost } from "./fixtures";
import { conversationDocument } from "./long-conversation";

/*
 * UI benchmark, run by scripts/bench-ui.mjs (which builds first and prints the table):
 * (a) a 20,000-token markdown answer streamed at 100 tokens/s into the real renderer
 *     (renderer-only harness: dist/bench-ui/bench-stream.html), counting main-thread
 *     long tasks > 50 ms and frame times;
 * (b) a stored 2,000-message conversation, imported through the real backend with
 *     chat.import, opened from the sidebar: time until the message list is painted.
 */

const root = join(import.meta.dirname, "..");
const out = process.env.M2D_BENCH_OUT ?? join(tmpdir(), "m2d-bench-ui.json");
const TOKENS = Number(process.env.M2D_BENCH_TOKENS ?? 20_000);
const RATE = Number(process.env.M2D_BENCH_RATE ?? 100);
const MESSAGES = Number(process.env.M2D_BENCH_MESSAGES ?? 2_000);
const COLD_RUNS = 3;
const WARM_RUNS = 5;

function record(key: string, value: unknown) {
  const all = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
  all[key] = value;
  writeFileSync(out, JSON.stringify(all, null, 2));
}

const MIME: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".map": "application/json" };

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": MIME[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("(a) streaming a long markdown answer", async ({ page }) => {
  const dir = join(root, "dist", "bench-ui");
  expect(existsSync(join(dir, "bench-stream.html")), "build the harness first: node scripts/bench-ui.mjs").toBe(true);
  const server = await serve(dir);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/bench-stream.html`);
    await page.waitForFunction(() => "__m2dBench" in window);
    const result = await page.evaluate(
      (options) => (window as unknown as { __m2dBench: { stream(o: typeof options): Promise<unknown> } }).__m2dBench.stream(options),
      { tokens: TOKENS, rate: RATE, reasoningTokens: Math.min(500, Math.floor(TOKENS / 10)) },
    );
    record("stream", { rate: RATE, ...(result as object) });
  } finally {
    server.close();
  }
});


/** Opens the first conversation in the sidebar from the welcome page: ms from the click's open() to the list painted. */
async function openFromSidebar(page: Page): Promise<number> {
  if (!(await page.getByTestId("welcome").isVisible())) {
    await page.getByTestId("new-chat").click();
    await expect(page.getByTestId("welcome")).toBeVisible();
  }
  const before = await page.evaluate(() => performance.getEntriesByName("m2d:open-to-paint").length);
  await page.getByTestId("conversation").first().locator(".conversation-open").click();
  await page.waitForFunction((n) => performance.getEntriesByName("m2d:open-to-paint").length > n, before);
  return page.evaluate(() => performance.getEntriesByName("m2d:open-to-paint").at(-1)?.duration ?? NaN);
}

function stats(runs: number[]) {
  const sorted = runs.slice().sort((a, b) => a - b);
  return { runs: runs.map(Math.round), median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN), max: Math.round(sorted.at(-1) ?? NaN) };
}

test("(b) opening a stored 2,000-message conversation", async ({ page }) => {
  const host = await startHeadlessHost();
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(host.url);
    await expect(page.getByTestId("connection-status")).toHaveText(/connected/);
    const json = JSON.stringify(conversationDocument(MESSAGES));
    // The host's WebSocket takes frames up to 1 MiB (main/host/server.ts), the import included.
    const frame = JSON.stringify({ id: 1, method: "chat.import", params: { json } });
    expect(Buffer.byteLength(frame), "the import must fit one WebSocket frame").toBeLessThan(1024 * 1024);
    const importStart = Date.now();
    await page.getByTestId("import-input").setInputFiles({ name: "bench.json", mimeType: "application/json", buffer: Buffer.from(json) });
    await expect(page.getByTestId("chat-title")).toHaveText(`Benchmark: ${MESSAGES} messages`, { timeout: 120_000 });
    await expect(page.locator("[data-testid=message]").first()).toBeVisible();
    const importMs = Date.now() - importStart;

    // Cold: a fresh page (nothing cached), then a click in the sidebar.
    const cold: number[] = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      await page.goto(host.url);
      await expect(page.getByTestId("welcome")).toBeVisible();
      cold.push(await openFromSidebar(page));
    }
    const coldGet = await page.evaluate(() => performance.getEntriesByName("m2d:chat-get").at(-1)?.duration ?? NaN);
    // Warm: back and forth in the same page (the view is kept for recently left conversations).
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: "longtask" });
    });
    const warm: number[] = [];
    for (let run = 0; run < WARM_RUNS; run++) warm.push(await openFromSidebar(page));
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const rendered = await page.locator("[data-testid=message]").count();

    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName("m2d:messages-painted").length > 0, undefined, { timeout: 60_000 });
    const reloadMs = await page.evaluate(() => performance.getEntriesByName("m2d:messages-painted")[0]?.startTime ?? NaN);

    record("open", {
      messages: MESSAGES,
      jsonBytes: json.length,
      importMs,
      coldMs: stats(cold),
      coldChatGetMs: Math.round(coldGet),
      warmMs: stats(warm),
      reloadToPaintMs: Math.round(reloadMs),
      longTasks: { count: longTasks.length, maxMs: Math.round(Math.max(0, ...longTasks)) },
      renderedRows: rendered,
    });
  } finally {
    await host.stop();
  }
});
