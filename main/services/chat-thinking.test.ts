import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../app/chat/types";
import type { AppEvent } from "../../app/contract";
import { ensureM3TestModel, m3ExpectedOutput } from "../../node/gguf/m3-test-models";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";

// A chat on the scripted minimax-m3 model through the real backend (SQLite, engine process): the conversation's
// thinking mode reaches the prompt, and earlier turns keep their reasoning as M3's template wants.

const dir = mkdtempSync(join(tmpdir(), "m2d-chat-thinking-"));
let backend: Backend;

beforeAll(async () => {
  const model = await ensureM3TestModel("chat");
  backend = createBackend({ dataDir: dir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  await backend.models.load(model, { gpu: "cpu", contextSize: 4096 });
}, 120_000);
afterAll(() => {
  backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function settled(id: string): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event: AppEvent) => {
      if (event.type === "chat.message" && event.message.id === id && event.message.status !== "streaming") {
        off();
        resolve(event.message);
      }
    });
  });
}

const prompt = async (conversationId: string) =>
  (await backend.engine.request({ op: "renderPrompt", request: backend.chat.requestFor(conversationId, "Next") }, { timeoutMs: 10_000 })).prompt;

describe("a chat on a minimax-m3 model", { timeout: 120_000 }, () => {
  it("answers in the conversation's thinking mode, and sends the first answer's reasoning back on the next turn", async () => {
    const conversation = backend.chat.create();
    backend.chat.repo.updateSettings(conversation.id, { thinking: "disabled" });
    const { assistantMessage } = await backend.chat.send(conversation.id, "Show me a tiny example.");
    const final = await settled(assistantMessage.id);
    const scripted = /^<mm:think>([\s\S]*)<\/mm:think>([\s\S]*)$/.exec(m3ExpectedOutput("chat", "turn1"));
    expect(final).toMatchObject({ status: "complete", reasoning: scripted?.[1], content: scripted?.[2] });

    const next = await prompt(conversation.id);
    expect(next).toContain("Current thinking mode: disabled.");
    expect(next.endsWith("]~b]ai\n</mm:think>")).toBe(true);
    // M3 renders every assistant turn's reasoning; M2's policy would have dropped it once a new user turn came.
    expect(next).toContain(`<mm:think>${scripted?.[1]}</mm:think>`);

    backend.chat.repo.updateSettings(conversation.id, { thinking: null });
    expect(await prompt(conversation.id)).toContain("Current thinking mode: adaptive.");
  });
});
