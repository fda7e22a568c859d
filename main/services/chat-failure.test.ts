import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../app/chat/types";
import { reloadOffer } from "../../app/contract";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";

// A failed answer keeps its typed error (code and details) in SQLite: after a restart, a context overflow
// still offers "Reload with N tokens of context". Real backend, engine and scripted model at 512 tokens.

const dataDir = mkdtempSync(join(tmpdir(), "m2d-failure-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const open = () => createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });

function settled(backend: Backend, id: string): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event) => {
      if (event.type === "chat.message" && event.message.id === id && event.message.status !== "streaming") {
        off();
        resolve(event.message);
      }
    });
  });
}

describe("a failed answer's typed error", { timeout: 180_000 }, () => {
  it("is stored with the message and survives a restart, with the reload offer", async () => {
    const first = open();
    let messageId: string;
    try {
      await first.models.load(await ensureTestModel("chat"), { gpu: "cpu", contextSize: 512 });
      const conversation = first.chat.create();
      const { assistantMessage } = await first.chat.send(conversation.id, `Summarise: ${"the quick brown fox jumps over the lazy dog ".repeat(40)}`);
      messageId = assistantMessage.id;
      const failed = await settled(first, messageId);
      expect(failed).toMatchObject({ status: "error", failure: { code: "context_overflow" } });
    } finally {
      await first.close();
    }
    const second = open();
    try {
      const stored = second.chat.repo.getMessage(messageId);
      expect(stored.status).toBe("error");
      const offer = reloadOffer(stored.failure);
      expect(offer?.contextSize).toBe(512);
      expect(offer?.promptTokens).toBeGreaterThan(512);
      expect(offer?.reloadContext).toBeGreaterThan(512);
    } finally {
      await second.close();
    }
  });
});
