import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TITLE } from "../../app/chat/title";
import { CHAT_SETTINGS_DEFAULTS } from "../../app/chat/types";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => t.cleanup());
const HOUR = 3_600_000;

describe("ChatRepository: conversations", () => {
  it("creates a conversation with M2's default sampling and reads it back", () => {
    t = openTestDb();
    const c = t.repo.createConversation({ kind: "agent", workspace: "/home/me/project" });
    expect(c).toEqual({
      id: "id-0001", title: DEFAULT_TITLE, titleIsAuto: true, pinned: false, kind: "agent",
      workspace: "/home/me/project", settings: { ...CHAT_SETTINGS_DEFAULTS },
      createdAt: t.clock.now, updatedAt: t.clock.now,
    });
    expect(t.repo.getConversation(c.id)).toEqual(c);
  });

  it("names a conversation from its first user message, and a rename stops that", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    t.repo.appendMessage(c.id, { role: "user", content: "\n  How do I profile a Node.js service?\nDetails…" });
    expect(t.repo.getConversation(c.id)).toMatchObject({ title: "How do I profile a Node.js service?", titleIsAuto: true });
    t.repo.appendMessage(c.id, { role: "assistant", content: "Use --cpu-prof." });
    t.repo.appendMessage(c.id, { role: "user", content: "Second question" });
    expect(t.repo.getConversation(c.id).title).toBe("How do I profile a Node.js service?");

    const renamed = t.repo.renameConversation(c.id, "  Profiling  ");
    expect(renamed).toMatchObject({ title: "Profiling", titleIsAuto: false });
    const other = t.repo.createConversation({ title: "Given" });
    t.repo.appendMessage(other.id, { role: "user", content: "Not the title" });
    expect(t.repo.getConversation(other.id)).toMatchObject({ title: "Given", titleIsAuto: false });
  });

  it("re-titles when the first user message is edited into a new branch", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    const first = t.repo.appendMessage(c.id, { role: "user", content: "Original question" });
    t.repo.editAndResend(first.id, "Edited question");
    expect(t.repo.getConversation(c.id).title).toBe("Edited question");
  });

  it("refuses bad input with precise bad_request details and unknown ids with not_found", () => {
    t = openTestDb();
    expect(() => t.repo.createConversation({ settings: { temperature: 9 } })).toThrow(
      expect.objectContaining({ code: "bad_request", details: { issues: [expect.objectContaining({ path: "settings.temperature" })] } }),
    );
    expect(() => t.repo.renameConversation("nope", "x")).toThrow(expect.objectContaining({ code: "not_found" }));
    const c = t.repo.createConversation();
    expect(() => t.repo.renameConversation(c.id, "   ")).toThrow(expect.objectContaining({ code: "bad_request" }));
    expect(() => t.repo.appendMessage(c.id, { role: "user", parentId: "missing" })).toThrow(
      expect.objectContaining({ code: "not_found", details: { messageId: "missing" } }),
    );
  });

  it("pins, and updates settings with a patch (null clears)", () => {
    t = openTestDb();
    const c = t.repo.createConversation({ settings: { systemPrompt: "Be brief.", maxTokens: 100 } });
    expect(t.repo.setPinned(c.id, true).pinned).toBe(true);
    const updated = t.repo.updateSettings(c.id, { temperature: 0.7, systemPrompt: null, maxTokens: null });
    expect(updated.settings).toEqual({ temperature: 0.7, topP: 0.95, topK: 40 });
    expect(() => t.repo.updateSettings(c.id, { topP: 0 })).toThrow(expect.objectContaining({ code: "bad_request" }));
  });

  it("stores a conversation's thinking mode, reads it back, and null returns to the family default", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    expect(t.repo.updateSettings(c.id, { thinking: "disabled" }).settings.thinking).toBe("disabled");
    expect(t.repo.getConversation(c.id).settings).toEqual({ temperature: 1, topP: 0.95, topK: 40, thinking: "disabled" });
    expect(t.repo.updateSettings(c.id, { thinking: "enabled", temperature: 0.5 }).settings).toMatchObject({ thinking: "enabled", temperature: 0.5 });
    expect(() => t.repo.updateSettings(c.id, { thinking: "maximum" as never })).toThrow(expect.objectContaining({ code: "bad_request" }));
    expect(t.repo.getConversation(c.id).settings.thinking).toBe("enabled");
    expect(t.repo.updateSettings(c.id, { thinking: null }).settings).not.toHaveProperty("thinking");
  });

  it("lists live conversations grouped by day relative to the given now, pinned first", () => {
    t = openTestDb();
    const now = t.clock.now; // 2025-06-15 12:00 local
    const make = (title: string, at: number) => {
      t.clock.now = at;
      return t.repo.createConversation({ title });
    };
    make("older", now - 30 * 24 * HOUR);
    const pinned = make("pinned", now - 60 * 24 * HOUR);
    make("week", now - 3 * 24 * HOUR);
    make("yesterday", now - 24 * HOUR);
    const today = make("today", now - HOUR);
    const gone = make("deleted", now - 2 * HOUR);
    make("agent", now - 2 * HOUR);
    t.repo.setPinned(pinned.id, true);
    t.repo.deleteConversation(gone.id);
    t.clock.now = now;
    t.repo.appendMessage(today.id, { role: "user", content: "bump" }); // activity moves it up

    const groups = t.repo.listConversations({ now: new Date(now) });
    expect(groups.map((g) => [g.id, g.label, g.conversations.map((c) => c.title)])).toEqual([
      ["pinned", "Pinned", ["pinned"]],
      ["today", "Today", ["today", "agent"]],
      ["yesterday", "Yesterday", ["yesterday"]],
      ["previous7Days", "Previous 7 days", ["week"]],
      ["older", "Older", ["older"]],
    ]);
  });

  it("deletes with undo: hidden at once, restorable, purged after the window or on demand", () => {
    t = openTestDb({ undoWindowMs: 5_000 });
    const c = t.repo.createConversation();
    const user = t.repo.appendMessage(c.id, { role: "user", content: "findme please" });
    t.repo.appendMessage(c.id, { role: "assistant", content: "ok", reasoning: "findme too" });

    const { purgeAt } = t.repo.deleteConversation(c.id);
    expect(purgeAt).toBe(t.clock.now + 5_000);
    expect(() => t.repo.getConversation(c.id)).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(t.repo.listConversations({ now: t.clock.now })).toEqual([]);
    expect(t.repo.search("findme")).toEqual([]);
    expect(() => t.repo.appendMessage(c.id, { role: "user", content: "x" })).toThrow(expect.objectContaining({ code: "not_found" }));

    expect(t.repo.restoreConversation(c.id).deletedAt).toBeUndefined();
    expect(t.repo.search("findme")).toHaveLength(2);

    t.repo.deleteConversation(c.id);
    t.clock.now += 4_999;
    expect(t.repo.purgeExpired()).toEqual([]);
    t.clock.now += 1;
    expect(t.repo.purgeExpired()).toEqual([c.id]);
    expect(() => t.repo.getConversation(c.id, { includeDeleted: true })).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(() => t.repo.getMessage(user.id)).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(t.db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(0);
    expect(t.db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'findme'").pluck().get()).toBe(0);

    const now = t.repo.createConversation();
    t.repo.purgeConversation(now.id);
    expect(() => t.repo.restoreConversation(now.id)).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("purges a conversation deeper than SQLite's 1000-level cascade limit", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    t.db.transaction(() => {
      for (let i = 0; i < 1500; i++) t.repo.appendMessage(c.id, { role: i % 2 ? "assistant" : "user", content: `m${i}` });
    })();
    expect(t.repo.listBranchPath(c.id)).toHaveLength(1500);
    t.repo.purgeConversation(c.id);
    expect(t.db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(0);
  });
});
