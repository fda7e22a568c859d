import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEvent, GenerationEvent } from "../../app/contract";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// One engine, many clients: the bound (429), a disconnect that frees the engine at once, and the app's chats in the same line.

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness(await ensureTestModel("long"), { queueLimit: 2 });
}, 120_000);
afterAll(() => api?.close());

const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "m2", messages: [{ role: "user", content: "Write a long answer." }], stream: true, ...extra });

function post(signal?: AbortSignal, extra?: Record<string, unknown>): Promise<Response> {
  return fetch(`${api.server.baseUrl}/chat/completions`, { method: "POST", headers: HARNESS_HEADERS, body: body(extra), ...(signal ? { signal } : {}) });
}

/** Reads a stream's content chunks as they come; `until(n)` returns once n arrived in all (the generation is running). */
function contentOf(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const seen = () => text.split('"content":"').length - 2; // the first chunk's empty content does not count
  return {
    async until(count: number): Promise<void> {
      while (seen() < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended after ${seen()} content chunks`);
        text += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

/** Every engine event per generation, and the order generations first produced output. */
function recordEngine() {
  const byGeneration = new Map<string, GenerationEvent[]>();
  const order: string[] = [];
  const off = api.backend.events.subscribe((event: AppEvent) => {
    if (event.type !== "generation.event") return;
    if (!byGeneration.has(event.generationId)) order.push(event.generationId);
    byGeneration.set(event.generationId, [...(byGeneration.get(event.generationId) ?? []), event.event]);
  });
  return { byGeneration, order, off };
}

describe("the API server's queue on the shared engine", () => {
  it("refuses a request past the bound with 429 and retry-after; a client that disconnects frees the engine for the next at once", async () => {
    const engine = recordEngine();
    const first = new AbortController();
    await contentOf(await post(first.signal)).until(3);
    // The second waits its turn: its headers come only when it gets the engine.
    const second = new AbortController();
    const waiting = post(second.signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_error", code: "engine_busy" } });

    const abortedAt = Date.now();
    first.abort();
    const next = await waiting;
    const reader = contentOf(next);
    await reader.until(1);
    // The engine stopped the first generation instead of running it to its end (2048 lines).
    const [firstId, secondId] = engine.order;
    expect(engine.byGeneration.get(firstId!)?.at(-1)).toMatchObject({ type: "done", finish_reason: "abort" });
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(secondId).toBeDefined();
    second.abort();
    await reader.cancel();
    await expect.poll(() => engine.byGeneration.get(secondId!)?.at(-1)?.type, { timeout: 10_000 }).toBe("done");
    engine.off();
  }, 60_000);

  it("a waiting client that disconnects leaves the line without touching the running generation", async () => {
    const engine = recordEngine();
    const first = new AbortController();
    const running = contentOf(await post(first.signal));
    await running.until(2);
    const second = new AbortController();
    const waiting = post(second.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    second.abort();
    await expect.poll(() => engine.order.length, { timeout: 5_000 }).toBe(2);
    const [firstId, secondId] = engine.order;
    // Never ran: its only event is the abort.
    expect(engine.byGeneration.get(secondId!)).toEqual([{ type: "done", finish_reason: "abort" }]);
    await running.until(6);
    expect(engine.byGeneration.get(firstId!)?.some((e) => e.type === "done")).toBe(false);
    first.abort();
    await expect.poll(() => engine.byGeneration.get(firstId!)?.at(-1)?.type, { timeout: 10_000 }).toBe("done");
    expect(await waiting).toBeInstanceOf(Error);
    engine.off();
  }, 60_000);

  it("the app's own chat waits behind an API request, then answers on the same engine", async () => {
    const engine = recordEngine();
    const client = new AbortController();
    const running = contentOf(await post(client.signal));
    await running.until(2);
    const conversation = api.backend.chat.create();
    const { generationId } = await api.backend.chat.send(conversation.id, "Hello from the app");
    await running.until(4);
    // Queued, not refused: no output of the chat's yet, no error either.
    expect(engine.byGeneration.get(generationId)).toBeUndefined();
    client.abort();
    await expect.poll(() => engine.byGeneration.get(generationId)?.some((e) => e.type === "content_delta"), { timeout: 10_000 }).toBe(true);
    await api.backend.chat.stop(conversation.id);
    await expect.poll(() => engine.byGeneration.get(generationId)?.at(-1)?.type, { timeout: 10_000 }).toBe("done");
    expect(engine.order.indexOf(generationId)).toBe(engine.order.length - 1);
    const content = engine.byGeneration.get(generationId)!.map((e) => (e.type === "content_delta" ? e.text : "")).join("");
    expect(content).toMatch(/^Line 1 of the long streaming answer\./);
    engine.off();
  }, 60_000);

  it("an engine crash mid-stream ends the stream with an error event; the server stays up and the next request reloads the model", async () => {
    const response = await fetch(`${api.server.baseUrl}/messages`, {
      method: "POST",
      headers: HARNESS_HEADERS,
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: "Write a long answer." }], stream: true }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let killed = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!killed && text.includes("Line 5 ")) {
        killed = true;
        process.kill(api.backend.engine.getStatus().pid!, "SIGKILL");
      }
    }
    const lastEvent = text.trim().split("\n\n").at(-1)!;
    expect(lastEvent).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(lastEvent.split("data: ")[1]!)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(text).not.toContain("message_stop");

    const next = await fetch(`${api.server.baseUrl}/chat/completions`, {
      method: "POST",
      headers: HARNESS_HEADERS,
      body: JSON.stringify({ model: "m2", messages: [{ role: "user", content: "Again." }], max_tokens: 8 }),
    });
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({ choices: [{ finish_reason: "length" }], usage: { completion_tokens: 8 } });
  }, 60_000);
});
