import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { openDatabase } from "../storage/database";
import { migrations } from "../storage/migrations";
import { chatMigration } from "./schema";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => t.cleanup());

function insertConversation(id: string) {
  t.db.prepare(
    `INSERT INTO conversations (id, title, kind, settings, created_at, updated_at) VALUES (?, 't', 'chat', '{}', 1, 1)`,
  ).run(id);
}
function insertMessage(id: string, conversationId: string, parentId: string | null, content = "", reasoning = "") {
  t.db.prepare(
    `INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, created_at, updated_at)
     VALUES (?, ?, ?, 'user', ?, ?, 1, 1)`,
  ).run(id, conversationId, parentId, content, reasoning);
}
const ftsCount = (q: string) =>
  t.db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?").pluck().get(q) as number;

describe("chatMigration (real SQLite file)", () => {
  it("creates STRICT tables, indexes, the FTS table and its triggers", () => {
    t = openTestDb();
    const objects = t.db.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all();
    expect(objects).toEqual(expect.arrayContaining([
      { type: "table", name: "conversations" },
      { type: "table", name: "messages" },
      { type: "table", name: "messages_fts" },
      { type: "index", name: "messages_by_parent" },
      { type: "trigger", name: "messages_fts_insert" },
      { type: "trigger", name: "messages_fts_update" },
      { type: "trigger", name: "messages_fts_delete" },
    ]));
    const strict = t.db.prepare("SELECT name, strict FROM pragma_table_list WHERE name IN ('conversations', 'messages')").all();
    expect(strict).toEqual(expect.arrayContaining([
      { name: "conversations", strict: 1 },
      { name: "messages", strict: 1 },
    ]));
  });

  it("applies after the app's existing migrations, and reopening changes nothing", () => {
    t = openTestDb();
    const path = join(t.dir, "app.sqlite");
    // The app's list may already carry it (the integrator appends it).
    const all = migrations.includes(chatMigration) ? migrations : [...migrations, chatMigration];
    openDatabase({ path, migrations: all }).close();
    const db = openDatabase({ path, migrations: all });
    expect(db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()).toEqual(
      expect.arrayContaining([{ version: 1, name: "settings" }, { version: 2, name: "chat" }]),
    );
    db.close();
  });

  it("rejects bad values through STRICT types and CHECK constraints", () => {
    t = openTestDb();
    insertConversation("c");
    const bad = (sql: string) => expect(() => t.db.prepare(sql).run()).toThrow();
    bad(`INSERT INTO messages (id, conversation_id, role, status, created_at, updated_at) VALUES ('m', 'c', 'user', 'done', 1, 1)`);
    bad(`INSERT INTO messages (id, conversation_id, role, created_at, updated_at) VALUES ('m', 'c', 'robot', 1, 1)`);
    bad(`INSERT INTO messages (id, conversation_id, role, tool_calls, created_at, updated_at) VALUES ('m', 'c', 'user', '{}', 1, 1)`);
    bad(`INSERT INTO messages (id, conversation_id, role, created_at, updated_at) VALUES ('m', 'c', 'user', 'soon', 1)`);
    bad(`INSERT INTO messages (id, conversation_id, role, created_at, updated_at) VALUES ('m', 'nope', 'user', 1, 1)`);
    bad(`INSERT INTO conversations (id, title, kind, settings, created_at, updated_at) VALUES ('x', 't', 'chat', 'nope', 1, 1)`);
    bad(`INSERT INTO conversations (id, title, kind, settings, created_at, updated_at) VALUES ('x', 't', 'other', '{}', 1, 1)`);
  });

  it("keeps a branch inside its conversation", () => {
    t = openTestDb();
    insertConversation("a");
    insertConversation("b");
    insertMessage("root", "a", null);
    expect(() => insertMessage("stray", "b", "root")).toThrow(/another conversation/);
    expect(() => t.db.prepare("UPDATE messages SET conversation_id = 'b' WHERE id = 'root'").run()).not.toThrow();
  });

  it("keeps the FTS index in sync on insert, update and delete (cascades included)", () => {
    t = openTestDb();
    insertConversation("c");
    insertMessage("m1", "c", null, "alpha content", "beta reasoning");
    insertMessage("m2", "c", "m1", "gamma", "");
    expect(ftsCount("alpha")).toBe(1);
    expect(ftsCount("beta")).toBe(1);
    t.db.prepare("UPDATE messages SET content = 'delta', reasoning = 'epsilon' WHERE id = 'm1'").run();
    expect([ftsCount("alpha"), ftsCount("beta"), ftsCount("delta"), ftsCount("epsilon")]).toEqual([0, 0, 1, 1]);
    t.db.prepare("DELETE FROM messages WHERE id = 'm1'").run(); // cascades to m2
    expect([ftsCount("delta"), ftsCount("gamma")]).toEqual([0, 0]);
    expect(() => t.db.prepare("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')").run()).not.toThrow();
  });
});
