import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../app/chat/types";
import { AppError } from "../../app/contract";
import { ensureTestModel, expectedOutput, expectedTokens } from "../../node/gguf/m2-test-models";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";

// Continue after Stop through the real backend (SQLite file, engine process, the scripted long model):
// a stopped answer is continued into the same message, which ends as the whole scripted answer.

const dataDir = mkdtempSync(join(tmpdir(), "m2d-continue-"));
let backend: Backend;

beforeAll(async () => {
  const model = await ensureTestModel("long");
  backend = createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  await backend.models.load(model, { gpu: "cpu", contextSize: 8192 });
}, 120_000);
afterAll(() => backend.close().finally(() => rmSync(dataDir, { recursive: true, force: true })));

function settledMessage(id: string): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event) => {
      if (event.type === "chat.message" && event.message.id === id && event.message.status !== "streaming") {
        off();
        resolve(event.message);
      }
    });
  });
}

/** Stops the conversation's answer once its content holds `text`. */
function stopAt(conversationId: string, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = "";
    const off = backend.events.subscribe((event) => {
      if (event.type !== "generation.event" || event.event.type !== "content_delta") return;
      seen += event.event.text;
      if (!seen.includes(text)) return;
      off();
      void backend.chat.stop(conversationId).then(resolve);
    });
  });
}

describe("continuing a stopped answer", { timeout: 180_000 }, () => {
  it("grows the same message into the whole answer; its stats count both runs", async () => {
    const conversation = backend.chat.create();
    const stopped = stopAt(conversation.id, "Line 20 ");
    const { assistantMessage } = await backend.chat.send(conversation.id, "Write a lot.");
    const firstSettled = settledMessage(assistantMessage.id);
    await stopped;
    const partial = await firstSettled;
    const [reasoning, content] = expectedOutput("long", "turn1").split("\n</think>\n\n") as [string, string];
    expect(partial.status).toBe("stopped");
    expect(partial.reasoning).toBe(reasoning);
    expect(partial.content.length).toBeGreaterThan(0);
    expect(content.startsWith(partial.content) && partial.content.length < content.length).toBe(true);

    const continued = await backend.chat.continueAnswer(assistantMessage.id);
    expect(continued.assistantMessage).toMatchObject({ id: assistantMessage.id, status: "streaming" });
    const final = await settledMessage(assistantMessage.id);
    expect(final).toMatchObject({ id: assistantMessage.id, status: "complete", reasoning, content });
    const stored = backend.chat.repo.getMessage(assistantMessage.id);
    expect(stored.content).toBe(content);
    expect(stored.stats?.generatedTokens).toBe(expectedTokens("long", "turn1").length);
    expect(stored.stats?.reasoningTokens).toBe(partial.stats?.reasoningTokens);
    expect(stored.stats?.reasoningMs).toBe(partial.stats?.reasoningMs);
    // Only the tokens the stop left unevaluated were fed again: the rest of the prompt came from the cache.
    expect(stored.stats?.evaluatedTokens).toBeLessThanOrEqual(1);
    // One answer, not a new branch.
    const view = backend.chat.view(conversation.id);
    expect(view.messages.filter(({ message }) => message.role === "assistant").map(({ message }) => message.id)).toEqual([assistantMessage.id]);
  });

  it("refuses a complete answer and a user message with a typed error, changing nothing", async () => {
    const conversation = backend.chat.create();
    const { userMessage, assistantMessage } = await backend.chat.send(conversation.id, "Write a lot.");
    const done = await settledMessage(assistantMessage.id);
    expect(done.status).toBe("complete");
    for (const id of [assistantMessage.id, userMessage.id]) {
      const error = await backend.chat.continueAnswer(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("bad_request");
    }
    expect(backend.chat.repo.getMessage(assistantMessage.id)).toEqual(done);
  });
});
