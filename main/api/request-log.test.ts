import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiRequestEntry } from "../../app/contract/server-api";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";
import { RequestLog } from "./request-log";

// The Server page's live log: each request with its model, tokens, speed and status; cancel stops a running one.

let api: ApiHarness;
const changes: ApiRequestEntry[] = [];
const log = new RequestLog((entry) => changes.push(entry));

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("long"), { requestLog: log });
}, 120_000);
afterAll(() => api?.close());

const post = (path: string, body: unknown) => fetch(`${api.server.baseUrl}${path}`, { method: "POST", headers: HARNESS_HEADERS, body: JSON.stringify(body) });

describe("the request log", () => {
  it("records a finished request: endpoint, model, prompt/cached/generated tokens, tok/s, status", async () => {
    const response = await post("/chat/completions", { model: "claude-x", messages: [{ role: "user", content: "Write a long answer." }], max_tokens: 12 });
    expect(response.status).toBe(200);
    await response.json();
    const again = await post("/messages", { model: "claude-x", max_tokens: 12, messages: [{ role: "user", content: "Write a long answer." }], stream: true });
    await again.text();
    await expect.poll(() => log.list().at(-1)?.state).toBe("done");
    const [first, second] = log.list();
    expect(first).toMatchObject({ endpoint: "chat.completions", stream: false, state: "done", status: 200, generatedTokens: 12, error: null });
    expect(first!.model).toMatch(/^m2-long-/);
    expect(first!.promptTokens).toBeGreaterThan(0);
    expect(first!.tokensPerSecond).toBeGreaterThan(0);
    expect(first!.durationMs).toBeGreaterThanOrEqual(0);
    // The second prompt starts like the first: the engine reused its tokens.
    expect(second).toMatchObject({ endpoint: "messages", stream: true, state: "done", status: 200, generatedTokens: 12 });
    expect(second!.cachedTokens).toBeGreaterThan(0);
    // Each change went out as it happened: running first, then done.
    const seen = changes.filter((c) => c.id === first!.id).map((c) => c.state);
    expect(seen[0]).toBe("running");
    expect(seen.at(-1)).toBe("done");
  }, 60_000);

  it("cancel stops a running stream at once; the entry says cancelled", async () => {
    const response = await post("/chat/completions", { model: "m2", messages: [{ role: "user", content: "Write a long answer." }], stream: true });
    const reader = response.body!.getReader();
    await reader.read(); // the stream runs
    const running = log.list().at(-1)!;
    expect(running.state).toBe("running");
    const cancelledAt = Date.now();
    log.cancel(running.id);
    while (!(await reader.read()).done) {
      // drain what was sent before the cancel
    }
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    await expect.poll(() => log.list().find((e) => e.id === running.id)?.state).toBe("cancelled");
    expect(() => log.cancel(running.id)).toThrow(/not running/);

    // A non-streamed request cancelled with its client still waiting gets an error answer, not a hang.
    const waiting = post("/chat/completions", { model: "m2", messages: [{ role: "user", content: "Write a long answer." }] });
    await expect.poll(() => log.list().at(-1)?.id !== running.id && log.list().at(-1)?.generatedTokens === null).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    log.cancel(log.list().at(-1)!.id);
    const answer = await waiting;
    expect(answer.status).toBe(499);
    expect(await answer.json()).toMatchObject({ error: { code: "aborted" } });
    expect(log.list().at(-1)).toMatchObject({ state: "cancelled", status: 499 });
  }, 60_000);
});
