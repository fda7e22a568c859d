import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { collectPageReport } from "./cdp-page-report";
import type { CdpChannel } from "./cdp-page-report";
import { pageUrl } from "./page-server";

const root = mkdtempSync(join(tmpdir(), "m2d-cdp-report-"));
writeFileSync(join(root, "big.bin"), Buffer.alloc(1024 * 1024));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A page's DevTools session that, once navigated, emits `events` and then the load event; it counts answers in flight at once. */
function channel(events: Array<[string, Record<string, unknown>]>) {
  let handler: (method: string, params: Record<string, unknown>) => void = () => undefined;
  let inFlight = 0;
  let maxInFlight = 0;
  const answered: string[] = [];
  const ch: CdpChannel = {
    onEvent: (h) => (handler = h),
    send: async (method, params) => {
      if (method === "Page.navigate") {
        setImmediate(() => {
          for (const [m, p] of events) handler(m, p);
          handler("Page.loadEventFired", {});
        });
      }
      if (method.startsWith("Fetch.") && method !== "Fetch.enable") {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        answered.push(`${method} ${String(params?.["requestId"])}`);
      }
      return {};
    },
  };
  return { ch, answered, maxInFlight: () => maxInFlight };
}

test("attack: a page logs thousands of huge errors and fails thousands of requests → the report keeps a bounded, clipped number of each", async () => {
  const huge = "x".repeat(200_000);
  const events: Array<[string, Record<string, unknown>]> = [];
  for (let i = 0; i < 3000; i++) {
    events.push(["Runtime.consoleAPICalled", { type: "error", args: [{ type: "string", value: huge }] }]);
    events.push(["Network.requestWillBeSent", { requestId: `r${i}`, request: { url: `${pageUrl("a")}?${huge}` } }]);
    events.push(["Network.loadingFailed", { requestId: `r${i}`, errorText: "net::ERR_ACCESS_DENIED" }]);
  }
  const { ch } = channel(events);
  const report = await collectPageReport(ch, { root, path: "index.html" }, Date.now() + 5000);
  expect(report.loaded).toBe(true);
  expect(report.consoleErrors.length).toBe(1000);
  expect(report.failedRequests.length).toBe(1000);
  expect(Math.max(...report.consoleErrors.map((p) => p.text.length))).toBeLessThanOrEqual(2001);
  expect(Math.max(...report.failedRequests.map((r) => r.url.length))).toBeLessThanOrEqual(2001);
  expect(report.failedRequests[0]).toMatchObject({ error: "net::ERR_ACCESS_DENIED" });
});

test("attack: a page fetches a large workspace file fifty times at once → served one at a time, and every request is answered", async () => {
  const events: Array<[string, Record<string, unknown>]> = [];
  for (let i = 0; i < 50; i++) events.push(["Fetch.requestPaused", { requestId: `f${i}`, request: { url: pageUrl("big.bin"), method: "GET" } }]);
  events.push(["Fetch.requestPaused", { requestId: "out", request: { url: "http://example.com/", method: "GET" } }]);
  const { ch, answered, maxInFlight } = channel(events);
  await collectPageReport(ch, { root, path: "index.html" }, Date.now() + 5000);
  expect(answered.filter((a) => a.startsWith("Fetch.fulfillRequest"))).toHaveLength(50);
  expect(answered).toContain("Fetch.failRequest out");
  expect(maxInFlight()).toBe(1);
});
