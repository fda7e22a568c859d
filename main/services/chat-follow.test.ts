import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { StoredMessage } from "../../app/chat/types";
import type { FollowedAnswer } from "../../app/contract/chat-api";
import type { AppEvent } from "../../app/contract";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { startHost, type RunningHost } from "../host/server";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";

// A window that opens mid-answer (a reload, a second window) follows it live: chat.follow over the real
// WebSocket transport of the real host, on the real engine streaming the scripted long answer. The text of the
// reply plus the events after it must be exactly the stored answer: none lost, none doubled.

const TOKEN = "follow-token";
const dir = mkdtempSync(join(tmpdir(), "m2d-follow-"));
let backend: Backend;
let host: RunningHost;

beforeAll(async () => {
  const model = await ensureTestModel("long");
  mkdirSync(join(dir, "renderer"));
  writeFileSync(join(dir, "renderer", "index.html"), "<!doctype html><title>ok</title>");
  backend = createBackend({ dataDir: join(dir, "data"), spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  host = await startHost({ backend, rendererDir: join(dir, "renderer"), token: TOKEN });
  await backend.models.load(model, { gpu: "cpu", contextSize: 8192 });
}, 120_000);

afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function settled(id: string): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event) => {
      if (event.type === "chat.message" && event.message.id === id && event.message.status !== "streaming") {
        off();
        resolve(event.message);
      }
    });
  });
}

function contentReaches(text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = "";
    const off = backend.events.subscribe((event) => {
      if (event.type !== "generation.event" || event.event.type !== "content_delta") return;
      seen += event.event.text;
      if (seen.includes(text)) {
        off();
        resolve();
      }
    });
  });
}

/** A second window: the socket's frames in order, and a call that resolves with its response. */
async function openWindow() {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${TOKEN}`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const frames: Array<{ type: string; id?: number; event?: AppEvent; outcome?: { ok: boolean; result?: unknown } }> = [];
  ws.on("message", (data) => frames.push(JSON.parse(String(data))));
  let next = 1;
  const call = (method: string, params: unknown) => {
    const id = next++;
    ws.send(JSON.stringify({ id, method, params }));
    return new Promise<{ result: unknown; at: number }>((resolve) => {
      const poll = setInterval(() => {
        const at = frames.findIndex((f) => f.type === "response" && f.id === id);
        if (at === -1) return;
        clearInterval(poll);
        resolve({ result: frames[at]!.outcome!.result, at });
      }, 5);
    });
  };
  return { ws, frames, call };
}

describe("chat.follow", { timeout: 180_000 }, () => {
  it("gives a window opened mid-answer the text so far and the generation whose later events continue it exactly", async () => {
    const conversation = backend.chat.create();
    const midway = contentReaches("Line 40 ");
    const { assistantMessage } = await backend.chat.send(conversation.id, "Write a lot.");
    const final = settled(assistantMessage.id);
    await midway;
    const window = await openWindow();
    const { result, at } = await window.call("chat.follow", { messageId: assistantMessage.id });
    const followed = result as FollowedAnswer;
    expect(followed).not.toBeNull();
    expect(followed.message).toMatchObject({ id: assistantMessage.id, status: "streaming" });
    expect(followed.message.content).toContain("Line 40 ");
    const done = await final;
    expect(done.status).toBe("complete");
    const [reasoning, content] = expectedOutput("long", "turn1").split("\n</think>\n\n") as [string, string];
    expect(done.content).toBe(content);
    // Not yet the whole answer when followed: the rest came as events after the reply.
    expect(followed.message.content.length).toBeLessThan(content.length);
    // The window's own copy of the stream ends with its `done`.
    const sawDone = () => window.frames.some((f) => f.type === "event" && f.event?.type === "generation.event" && f.event.generationId === followed.generationId && f.event.event.type === "done");
    await expect.poll(sawDone, { timeout: 10_000 }).toBe(true);
    const later = window.frames
      .slice(at + 1)
      .flatMap((f) => (f.type === "event" && f.event?.type === "generation.event" && f.event.generationId === followed.generationId ? [f.event.event] : []));
    const rest = later.flatMap((e) => (e.type === "content_delta" ? [e.text] : [])).join("");
    expect(followed.message.content + rest).toBe(content);
    expect(followed.message.reasoning).toBe(reasoning);
    // The thinking figures the window shows while it streams are the ones stored at the end.
    expect(followed.thinking).toMatchObject({ ended: true, ms: done.stats?.reasoningMs, baseTokens: 0 });
    expect(followed.thinking!.tokens).toBeLessThanOrEqual(done.stats!.reasoningTokens!);
    expect(followed.thinking!.tokens).toBeGreaterThanOrEqual(done.stats!.reasoningTokens! - 3);
    window.ws.close();
  });

  it("answers null for an answer nobody is writing, and not_found for an unknown message", async () => {
    const conversation = backend.chat.create();
    const { assistantMessage } = await backend.chat.send(conversation.id, "Write a lot.");
    await settled(assistantMessage.id);
    const window = await openWindow();
    expect((await window.call("chat.follow", { messageId: assistantMessage.id })).result).toBeNull();
    expect(await backend.dispatch("chat.follow", { messageId: "nope" }, { transport: "cli" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    window.ws.close();
  });
});
