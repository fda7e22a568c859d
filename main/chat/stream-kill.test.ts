import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../storage/database";
import { REASONING_TOKENS, contentToken, reasoningToken } from "./fixtures/stream-tokens";
import { ChatRepository } from "./repository";
import { chatMigrations } from "./schema";
import { recoverInterrupted } from "./stream-writer";
import { openTestDb, type TestDb } from "./testing";

const repoRoot = join(import.meta.dirname, "..", "..");
let t: TestDb;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  t.cleanup();
});

/** Bundles the fixture like the app bundles main/, into the test's temp dir. */
function buildChild(dir: string): string {
  const outfile = join(dir, "stream-child.mjs");
  execFileSync("npx", [
    "--no-install", "esbuild", join(import.meta.dirname, "fixtures", "stream-child.ts"),
    "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${outfile}`, "--log-level=warning",
  ], { cwd: repoRoot, stdio: "pipe" });
  // External packages resolve from the bundle's folder upwards.
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  return outfile;
}

/** All rows but the streamed message; the target conversation's activity columns are masked. */
function checksum(db: ReturnType<typeof openDatabase>, targetId: string, exceptMessage: string | null): string {
  const messages = db.prepare("SELECT * FROM messages WHERE id IS NOT ? ORDER BY id").all(exceptMessage);
  const conversations = db
    .prepare(
      `SELECT id, title, title_is_auto, pinned, kind, workspace, settings, created_at, deleted_at,
         CASE WHEN id = @t THEN NULL ELSE updated_at END AS updated_at,
         CASE WHEN id = @t THEN NULL ELSE active_leaf_id END AS active_leaf_id
       FROM conversations ORDER BY id`,
    )
    .all({ t: targetId });
  return createHash("sha256").update(JSON.stringify({ messages, conversations })).digest("hex");
}

function seed(repo: ChatRepository) {
  const other = repo.createConversation({ title: "Untouched", settings: { systemPrompt: "Be brief." } });
  repo.appendMessage(other.id, { role: "user", content: "List files" });
  const call = { id: "call-0", name: "ls", arguments: { dir: "." } };
  repo.appendMessage(other.id, { role: "assistant", reasoning: "Use ls.", toolCalls: [call] });
  repo.appendMessage(other.id, { role: "tool", content: "a.txt", toolCallId: "call-0", toolName: "ls" });
  const answer = repo.appendMessage(other.id, { role: "assistant", content: "One file.", reasoning: "Count." });
  repo.regenerate(answer.id); // a second branch, left streaming-free below
  repo.deleteMessage(repo.getConversation(other.id).activeLeafId ?? "");
  const gone = repo.createConversation({ title: "In the undo window" });
  repo.appendMessage(gone.id, { role: "user", content: "bye" });
  repo.deleteConversation(gone.id);

  const target = repo.createConversation({ title: "Target" });
  repo.appendMessage(target.id, { role: "user", content: "Stream something long" });
  return target.id;
}

describe("a streaming answer survives SIGKILL (real child process, real SQLite file)", () => {
  it("keeps the partial text; recovery marks it interrupted; nothing else changes", async () => {
    t = openTestDb({ now: Date.now });
    const targetId = seed(t.repo);
    const before = checksum(t.db, targetId, null);
    t.db.close();

    child = fork(buildChild(t.dir), [t.path, targetId, "40"], { execArgv: [], stdio: ["ignore", "pipe", "pipe", "ipc"] });
    let stderr = "";
    const proc = child;
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
    let messageId = "";
    const flushed: { reasoning: string; content: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      proc.on("message", (m: { type: string; messageId?: string; reasoning?: string; content?: string }) => {
        if (m.type === "started") messageId = m.messageId ?? "";
        if (m.type === "flushed") flushed.push({ reasoning: m.reasoning ?? "", content: m.content ?? "" });
        // Kill once content is streaming and several writes are down.
        if (flushed.length >= 4 && (flushed.at(-1)?.content.length ?? 0) > 0) {
          proc.kill("SIGKILL");
          resolve();
        }
      });
      proc.on("exit", () => reject(new Error(`child exited early: ${stderr}`)));
    });
    expect(await exited).toBe("SIGKILL");

    const db = openDatabase({ path: t.path, migrations: chatMigrations });
    const repo = new ChatRepository(db);
    const partial = repo.getMessage(messageId);
    const fullReasoning = Array.from({ length: REASONING_TOKENS }, (_, i) => reasoningToken(i)).join("");
    const fullContent = Array.from({ length: 10_000 }, (_, i) => contentToken(i)).join("");
    const lastReport = flushed.at(-1) ?? { reasoning: "", content: "" };
    expect(partial.status).toBe("streaming");
    expect(partial.reasoning).toBe(fullReasoning);
    // At least what was reported written, and only ever a clean prefix of the stream.
    expect(partial.content.length).toBeGreaterThanOrEqual(lastReport.content.length);
    expect(fullContent.startsWith(partial.content)).toBe(true);
    expect(partial.content.endsWith(" ")).toBe(true);

    expect(recoverInterrupted(db)).toBe(1);
    expect(repo.getMessage(messageId)).toMatchObject({
      status: "interrupted", content: partial.content, reasoning: partial.reasoning,
    });
    expect(repo.listBranchPath(targetId).map((m) => m.id).at(-1)).toBe(messageId);

    // Every other row as it was.
    expect(checksum(db, targetId, messageId)).toBe(before);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(() => db.exec("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")).not.toThrow();
    db.close();
  });
});
