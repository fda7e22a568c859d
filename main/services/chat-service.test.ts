import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { ChatDefaultsSchema } from "../../app/chat/presets";
import type { StoredMessage } from "../../app/chat/types";
import { AppError, type AppEvent } from "../../app/contract";
import { ensureTestModel, expectedOutput } from "../../node/gguf/m2-test-models";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";

// The real backend (SQLite file, engine process, scripted models) answering chat turns.

const root = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "m2d-chat-"));
  dirs.push(dir);
  return dir;
};
let chatModel: string;
let longModel: string;

beforeAll(async () => {
  [chatModel, longModel] = await Promise.all([ensureTestModel("chat"), ensureTestModel("long")]);
}, 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function waitForMessage(backend: Backend, predicate: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  return new Promise((resolve) => {
    const off = backend.events.subscribe((event: AppEvent) => {
      if (event.type === "chat.message" && predicate(event.message)) {
        off();
        resolve(event.message);
      }
    });
  });
}

function snapshot(backend: Backend, excludeId: string): string {
  return JSON.stringify(backend.db.prepare("SELECT * FROM messages WHERE id != ? ORDER BY id").all(excludeId));
}

describe("chat service with the real engine", () => {
  let backend: Backend;
  beforeAll(() => {
    backend = createBackend({ dataDir: tempDir(), spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  });
  afterAll(() => backend.close());

  it("stores the answer's reasoning and content separately, with stats", async () => {
    await backend.models.load(chatModel, { gpu: "cpu", contextSize: 4096 });
    const conversation = backend.chat.create();
    const { assistantMessage } = await backend.chat.send(conversation.id, "Show me some formatting");
    const final = await waitForMessage(backend, (m) => m.id === assistantMessage.id && m.status !== "streaming");
    const [reasoning, content] = expectedOutput("chat", "turn1").split("\n</think>\n\n");
    expect(final).toMatchObject({ status: "complete", reasoning, content });
    expect(final.stats?.generatedTokens).toBeGreaterThan(10);
    expect(final.stats?.reasoningMs).toBeGreaterThanOrEqual(0);
    // The engine counts the tokens up to the end of the thinking: some, but fewer than the whole answer.
    expect(final.stats?.reasoningTokens).toBeGreaterThan(3);
    expect(final.stats?.reasoningTokens).toBeLessThan(final.stats!.generatedTokens / 2);
    // The model and settings it ran with, recorded with the answer (kept when the model changes later).
    const loaded = backend.models.current()!;
    expect(final.generation).toEqual({
      model: loaded.report.name ?? expect.any(String), family: loaded.report.familyName, quantization: loaded.report.quantization,
      contextSize: 4096, temperature: 1, topP: 0.95, topK: 40,
    });
    expect(backend.chat.repo.getMessage(final.id).generation).toEqual(final.generation);
    expect(backend.chat.repo.getConversation(conversation.id).title).toBe("Show me some formatting");
    expect(backend.chat.repo.search("formatting demo").map((h) => h.field)).toContain("reasoning");
  });

  it("announces each answer with its generation id before the first token, so any window can follow it live", async () => {
    await backend.models.load(chatModel, { gpu: "cpu", contextSize: 4096 });
    const conversation = backend.chat.create();
    const seen: string[] = [];
    const off = backend.events.subscribe((event: AppEvent) => {
      if (event.type === "chat.message" && event.message.role === "assistant") seen.push(`message:${event.message.status}:${event.generationId ?? "none"}`);
      if (event.type === "generation.event" && !seen.includes(`tokens:${event.generationId}`)) seen.push(`tokens:${event.generationId}`);
    });
    const { assistantMessage, generationId } = await backend.chat.send(conversation.id, "Show me some formatting");
    await waitForMessage(backend, (m) => m.id === assistantMessage.id && m.status !== "streaming");
    off();
    expect(seen).toEqual([`message:streaming:${generationId}`, `tokens:${generationId}`, `message:complete:${generationId}`]);
  });

  it("keeps the partial answer, marked interrupted, when the engine dies mid-stream; other messages are untouched", async () => {
    await backend.models.load(longModel, { gpu: "cpu", contextSize: 4096 });
    const conversation = backend.chat.create();
    const first = await backend.chat.send(conversation.id, "Write a lot.");
    // Subscribe before stopping: the final state can arrive before stop() returns.
    const firstSettled = waitForMessage(backend, (m) => m.id === first.assistantMessage.id && m.status !== "streaming");
    await backend.chat.stop(conversation.id);
    expect((await firstSettled).status).toBe("stopped");

    const { assistantMessage } = await backend.chat.send(conversation.id, "Again, longer.");
    const before = snapshot(backend, assistantMessage.id);
    await new Promise<void>((resolve) => {
      const off = backend.events.subscribe((event) => {
        if (event.type === "generation.event" && event.event.type === "content_delta" && event.event.text.includes("Line 30 ")) {
          off();
          process.kill(backend.engine.getStatus().pid!, "SIGKILL");
          resolve();
        }
      });
    });
    const final = await waitForMessage(backend, (m) => m.id === assistantMessage.id && m.status !== "streaming");
    expect(final.status).toBe("interrupted");
    expect(final.content).toContain("Line 1 of the long streaming answer.");
    expect(snapshot(backend, assistantMessage.id)).toBe(before);
  });

  it("new conversations start with the app's default system prompt; presets keep sampling and context, names unique", () => {
    expect(backend.chat.defaults()).toEqual({ presets: [] });
    const preset = { name: "Precise", systemPrompt: "Be exact.", temperature: 0.2, topP: 0.9, topK: 20, contextSize: 16384 };
    backend.chat.saveDefaults({ systemPrompt: "Answer in French.", presets: [preset] });
    expect(backend.chat.create().settings.systemPrompt).toBe("Answer in French.");
    expect(backend.chat.create(undefined, "My own prompt").settings.systemPrompt).toBe("My own prompt");
    expect(backend.chat.defaults()).toEqual({ systemPrompt: "Answer in French.", presets: [preset] });
    expect(ChatDefaultsSchema.safeParse({ presets: [preset, { ...preset, topK: 1 }] }).success).toBe(false);
    // Cleared, a new conversation has none again.
    backend.chat.saveDefaults({ systemPrompt: "  ", presets: [] });
    expect(backend.chat.create().settings.systemPrompt).toBeUndefined();
  });
});

// A real SQLite file on a tiny tmpfs that the test fills mid-answer (mounting needs root).
describe.skipIf(process.getuid?.() !== 0)("a disk that fills up mid-answer", () => {
  const mountDir = tempDir();
  let backend: Backend;
  beforeAll(() => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountDir]);
    backend = createBackend({ dataDir: join(mountDir, "data"), spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  });
  afterAll(async () => {
    await backend.close();
    execFileSync("umount", [mountDir]);
  });

  /** Writes until the file system has no room left. */
  function fillDisk(path: string): void {
    const fd = openSync(path, "w");
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
    } finally {
      closeSync(fd);
    }
    // The last partial chunk: the file system is now full to the byte.
    for (const size of [4096, 512, 1]) {
      try {
        for (;;) appendFileSync(path, Buffer.alloc(size, 1));
      } catch {
        // next, smaller size
      }
    }
  }

  it("stops the engine, marks the answer failed with a typed storage reason, and works again once there is room", async () => {
    await backend.models.load(longModel, { gpu: "cpu", contextSize: 4096 });
    const conversation = backend.chat.create();
    const filler = join(mountDir, "filler");
    let generationId = "";
    const filled = new Promise<void>((resolve) => {
      const off = backend.events.subscribe((event) => {
        if (event.type === "generation.event" && event.generationId === generationId && event.event.type === "content_delta" && event.event.text.includes("Line 5 ")) {
          off();
          fillDisk(filler);
          resolve();
        }
      });
    });
    const engineDone = new Promise<string>((resolve) => {
      const off = backend.events.subscribe((event) => {
        if (event.type === "generation.event" && event.generationId === generationId && event.event.type === "done") {
          off();
          resolve(event.event.finish_reason);
        }
      });
    });
    const started = await backend.chat.send(conversation.id, "Write a lot.");
    generationId = started.generationId;
    const settled = waitForMessage(backend, (m) => m.id === started.assistantMessage.id && m.status !== "streaming");
    await filled;
    const final = await settled;
    expect(final.status).toBe("error");
    expect(final.error).toContain("the disk is full");
    // The engine was told to stop: its generation is aborted instead of running to Line 2048.
    expect(await engineDone).toBe("abort");
    expect(backend.generations.isActive(generationId)).toBe(false);

    // Still full: a new turn is refused as storage with the reason, not as an internal error.
    const refused = await backend.chat.send(conversation.id, "Again.").catch((error: unknown) => AppError.from(error));
    expect(refused).toMatchObject({ code: "storage", details: { reason: "disk_full", sqliteCode: expect.stringMatching(/^SQLITE_FULL/) } });

    // Room again: the row is marked failed on disk, and the next answer streams to the end.
    rmSync(filler);
    await vi.waitFor(() => expect(backend.chat.repo.getMessage(started.assistantMessage.id)).toMatchObject({ status: "error", error: expect.stringContaining("the disk is full") }), { timeout: 15_000 });
    await backend.models.load(chatModel, { gpu: "cpu", contextSize: 4096 });
    const next = await backend.chat.send(conversation.id, "Show me some formatting");
    const nextFinal = await waitForMessage(backend, (m) => m.id === next.assistantMessage.id && m.status !== "streaming");
    expect(nextFinal.status).toBe("complete");
    expect(backend.chat.repo.getMessage(next.assistantMessage.id).status).toBe("complete");
  }, 120_000);
});

describe("a backend process killed mid-answer", () => {
  it("shows the partial answer as interrupted after a restart, and loses nothing else", async () => {
    const dataDir = tempDir();
    const start = async () => {
      const child = spawn(process.execPath, [join(root, "dist", "main", "cli", "m2d.js"), "serve", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "inherit"], env: TEST_ENGINE_ENV });
      const url = await new Promise<string>((resolve) => {
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(out);
          if (match) resolve(`ws://127.0.0.1:${match[1]}/ws?token=${match[2]}`);
        });
      });
      const ws = new WebSocket(url);
      await new Promise((resolve) => ws.once("open", resolve));
      let id = 0;
      const pending = new Map<number, (outcome: { ok: boolean; result?: unknown; error?: unknown }) => void>();
      const listeners: Array<(event: AppEvent) => void> = [];
      ws.on("message", (data) => {
        const message = JSON.parse(String(data));
        if (message.type === "response") pending.get(message.id)?.(message.outcome);
        else listeners.forEach((l) => l(message.event));
      });
      const call = <T>(method: string, params: unknown) =>
        new Promise<T>((resolve, reject) => {
          const n = ++id;
          pending.set(n, (o) => (o.ok ? resolve(o.result as T) : reject(o.error)));
          ws.send(JSON.stringify({ id: n, method, params }));
        });
      return { child, ws, call, listeners };
    };

    const first = await start();
    await first.call("model.load", { path: longModel, options: { gpu: "cpu", contextSize: 4096 } });
    const conversation = await first.call<{ id: string }>("chat.create", {});
    const sent = await first.call<{ assistantMessage: { id: string } }>("chat.send", { conversationId: conversation.id, content: "Write a lot." });
    // Wait past a 500 ms flush so some text is on disk, then kill the backend outright.
    await new Promise<void>((resolve) => first.listeners.push((e) => e.type === "generation.event" && e.event.type === "content_delta" && e.event.text.includes("Line 40 ") && resolve()));
    await new Promise((r) => setTimeout(r, 700));
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));

    const second = await start();
    const view = await second.call<{ messages: Array<{ message: StoredMessage }> }>("chat.get", { conversationId: conversation.id });
    const answer = view.messages.find((m) => m.message.id === sent.assistantMessage.id)?.message;
    expect(answer?.status).toBe("interrupted");
    expect(answer?.content).toContain("Line 1 of the long streaming answer.");
    expect(view.messages[0]?.message).toMatchObject({ role: "user", content: "Write a lot.", status: "complete" });
    second.child.kill("SIGKILL");
  }, 120_000);
});
