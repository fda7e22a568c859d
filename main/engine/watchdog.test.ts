import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../app/chat/types";
import { buildScriptedModel } from "../../node/gguf/m2-scripted-model";
import { ensureTestModel, readChatTemplate } from "../../node/gguf/m2-test-models";
import { writeGguf } from "../../node/gguf/writer";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "./fork-spawner";

// The real engine wedged by a GGUF whose chat template spins (rendered synchronously on its main thread). The
// template budget is lifted here (M2D_TEMPLATE_BUDGET_MS) so that only the supervisor's watchdog can end it.

const scratch = mkdtempSync(join(tmpdir(), "m2d-watchdog-"));
const SPIN = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
let wedgeModel: string;
let chatModel: string;
let backend: Backend;

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

beforeAll(async () => {
  wedgeModel = join(scratch, "m2-spinning-template.gguf");
  await writeGguf(wedgeModel, buildScriptedModel("chat", SPIN + (await readChatTemplate())).input);
  chatModel = await ensureTestModel("chat");
  backend = createBackend({
    dataDir: join(scratch, "data"),
    spawnEngine: forkSpawner(ENGINE_BUNDLE, { ...TEST_ENGINE_ENV, M2D_TEMPLATE_BUDGET_MS: "600000" }),
    heartbeatTimeoutMs: 2_000,
    log: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await backend.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("engine watchdog (real engine, a chat template that never ends)", () => {
  it("kills and restarts the wedged engine, keeps the answer as interrupted with the reason, and does not reload that model", async () => {
    const loaded = await backend.models.load(wedgeModel, { gpu: "cpu", contextSize: 2048 });
    expect(loaded.promptFormat).toBe("embedded-template");
    const { pid } = await backend.engine.request({ op: "ping" });

    const conversation = backend.chat.create();
    const { assistantMessage } = await backend.chat.send(conversation.id, "Hello");
    const settled = settledMessage(assistantMessage.id);
    // Wedged: even echo goes unanswered.
    await expect(backend.engine.request({ op: "echo", text: "are you there" }, { timeoutMs: 500 })).rejects.toMatchObject({ code: "engine_unavailable" });

    const final = await settled;
    expect(final.status).toBe("interrupted");
    expect(final.error).toContain("stopped responding");
    expect(backend.chat.repo.getMessage(assistantMessage.id)).toMatchObject({ status: "interrupted", error: expect.stringContaining("stopped responding") });
    expect(backend.engine.getStatus().lastExit).toMatchObject({ signal: "SIGKILL", reason: "engine_unresponsive" });

    // The restarted engine answers; the model that wedged it is not loaded back into the same wedge.
    const after = await backend.engine.request({ op: "ping" });
    expect(after.pid).not.toBe(pid);
    expect(backend.models.current()).toBeNull();
    await expect(backend.chat.send(conversation.id, "Again")).rejects.toMatchObject({
      code: "model_not_loaded",
      details: { reason: "engine_unresponsive", path: wedgeModel },
    });
    expect((await backend.engine.request({ op: "status" })).loaded).toBeNull();

    // The next valid load works, and so does the next answer.
    await backend.models.load(chatModel, { gpu: "cpu", contextSize: 4096 });
    const next = await backend.chat.send(conversation.id, "Show me some formatting");
    expect((await settledMessage(next.assistantMessage.id)).status).toBe("complete");
    expect(backend.engine.getStatus().restarts).toBe(1);
  }, 120_000);
});
