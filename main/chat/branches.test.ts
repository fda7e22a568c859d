import { afterEach, describe, expect, it } from "vitest";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => t.cleanup());

/** user → assistant → user → assistant, the usual start. */
function chat() {
  const c = t.repo.createConversation();
  const u1 = t.repo.appendMessage(c.id, { role: "user", content: "Q1" });
  const a1 = t.repo.appendMessage(c.id, { role: "assistant", content: "A1" });
  const u2 = t.repo.appendMessage(c.id, { role: "user", content: "Q2" });
  const a2 = t.repo.appendMessage(c.id, { role: "assistant", content: "A2" });
  return { c, u1, a1, u2, a2 };
}
const contents = (conversationId: string) => t.repo.listBranchPath(conversationId).map((m) => m.content);

describe("branches: a message tree with an active leaf", () => {
  it("appends under the active leaf and returns the root→leaf path", () => {
    t = openTestDb();
    const { c, u1, a1, a2 } = chat();
    expect(t.repo.getConversation(c.id).activeLeafId).toBe(a2.id);
    expect(a1.parentId).toBe(u1.id);
    expect(u1.parentId).toBeNull();
    expect(contents(c.id)).toEqual(["Q1", "A1", "Q2", "A2"]);
    expect(t.repo.listBranchPath(c.id, a1.id).map((m) => m.content)).toEqual(["Q1", "A1"]);
  });

  it("editAndResend adds a sibling user message under the same parent and switches to it", () => {
    t = openTestDb();
    const { c, a1, u2 } = chat();
    const edited = t.repo.editAndResend(u2.id, "Q2 better");
    expect(edited).toMatchObject({ parentId: a1.id, role: "user", content: "Q2 better", status: "complete" });
    expect(contents(c.id)).toEqual(["Q1", "A1", "Q2 better"]);
    expect(t.repo.siblings(edited.id)).toEqual({ index: 1, count: 2, ids: [u2.id, edited.id] });
    expect(t.repo.siblings(u2.id)).toMatchObject({ index: 0, count: 2 });
    // The original branch is untouched.
    expect(t.repo.getMessage(u2.id).content).toBe("Q2");
  });

  it("editAndResend of the first message makes a second root", () => {
    t = openTestDb();
    const { c, u1 } = chat();
    const edited = t.repo.editAndResend(u1.id, "Q1 again");
    expect(edited.parentId).toBeNull();
    expect(t.repo.siblings(edited.id)).toEqual({ index: 1, count: 2, ids: [u1.id, edited.id] });
    expect(contents(c.id)).toEqual(["Q1 again"]);
  });

  it("regenerate adds an empty streaming assistant sibling; 2/3 navigation switches branches", () => {
    t = openTestDb();
    const { c, u2, a2 } = chat();
    const r1 = t.repo.regenerate(a2.id);
    expect(r1).toMatchObject({ parentId: u2.id, role: "assistant", content: "", status: "streaming" });
    t.db.prepare("UPDATE messages SET content = 'A2 second', status = 'complete' WHERE id = ?").run(r1.id);
    const r2 = t.repo.regenerate(a2.id);
    expect(t.repo.siblings(r1.id)).toEqual({ index: 1, count: 3, ids: [a2.id, r1.id, r2.id] });

    expect(t.repo.setActiveLeaf(c.id, r1.id).map((m) => m.content)).toEqual(["Q1", "A1", "Q2", "A2 second"]);
    expect(t.repo.getConversation(c.id).activeLeafId).toBe(r1.id);
    const view = t.repo.branchView(c.id);
    expect(view.messages.map((m) => [m.message.content, m.siblings.index, m.siblings.count])).toEqual([
      ["Q1", 0, 1], ["A1", 0, 1], ["Q2", 0, 1], ["A2 second", 1, 3],
    ]);
  });

  it("pages a branch from its end: the tail first, then the messages before a given one", () => {
    t = openTestDb();
    const { c, u1, a1, u2, a2 } = chat();
    const r = t.repo.regenerate(a2.id);
    const page = (window: { limit?: number; beforeId?: string }) => {
      const view = t.repo.branchView(c.id, undefined, window);
      return { ids: view.messages.map((m) => m.message.id), olderCount: view.olderCount, siblings: view.messages.at(-1)?.siblings.count };
    };
    expect(page({})).toEqual({ ids: [u1.id, a1.id, u2.id, r.id], olderCount: 0, siblings: 2 });
    expect(page({ limit: 2 })).toEqual({ ids: [u2.id, r.id], olderCount: 2, siblings: 2 });
    expect(page({ limit: 1, beforeId: u2.id })).toEqual({ ids: [a1.id], olderCount: 1, siblings: 1 });
    expect(page({ limit: 5, beforeId: a1.id })).toEqual({ ids: [u1.id], olderCount: 0, siblings: 1 });
    expect(page({ beforeId: u1.id })).toEqual({ ids: [], olderCount: 0, siblings: undefined });
    // The old answer is off the active branch: paging from it is a clear error, not a wrong page.
    expect(() => page({ beforeId: a2.id })).toThrow(expect.objectContaining({ code: "not_found" }));
  });

  it("setActiveLeaf on an inner message lands on the newest leaf below it", () => {
    t = openTestDb();
    const { c, u1, a2 } = chat();
    const edited = t.repo.editAndResend(u1.id, "Q1 edited");
    t.repo.appendMessage(c.id, { role: "assistant", content: "A1 edited" });
    expect(t.repo.setActiveLeaf(c.id, u1.id).at(-1)?.id).toBe(a2.id);
    expect(t.repo.setActiveLeaf(c.id, edited.id).map((m) => m.content)).toEqual(["Q1 edited", "A1 edited"]);
  });

  it("refuses targets of the wrong role or conversation", () => {
    t = openTestDb();
    const { c, u1, a1 } = chat();
    const other = t.repo.createConversation();
    expect(() => t.repo.regenerate(u1.id)).toThrow(expect.objectContaining({ code: "bad_request", details: expect.objectContaining({ role: "user" }) }));
    expect(() => t.repo.editAndResend(a1.id, "x")).toThrow(expect.objectContaining({ code: "bad_request" }));
    expect(() => t.repo.setActiveLeaf(other.id, a1.id)).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(() => t.repo.appendMessage(other.id, { role: "user", parentId: a1.id })).toThrow(expect.objectContaining({ code: "bad_request" }));
    expect(() => t.repo.listBranchPath(other.id, a1.id)).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(t.repo.listBranchPath(other.id)).toEqual([]);
    expect(t.repo.branchView(other.id).messages).toEqual([]);
    expect(contents(c.id)).toHaveLength(4);
  });

  it("deleting a message removes its subtree and falls back to a sibling branch", () => {
    t = openTestDb();
    const { c, u2, a2 } = chat();
    const r = t.repo.regenerate(a2.id);
    const follow = t.repo.appendMessage(c.id, { role: "user", content: "Q3 on the regenerated branch" });
    const result = t.repo.deleteMessage(r.id);
    expect(new Set(result.deletedIds)).toEqual(new Set([r.id, follow.id]));
    expect(result.activeLeafId).toBe(a2.id);
    expect(contents(c.id)).toEqual(["Q1", "A1", "Q2", "A2"]);
    expect(t.repo.siblings(a2.id)).toEqual({ index: 0, count: 1, ids: [a2.id] });

    // The last answer gone: the view ends at its parent.
    expect(t.repo.deleteMessage(a2.id).activeLeafId).toBe(u2.id);
    // An inactive branch: the active leaf stays.
    const alt = t.repo.editAndResend(u2.id, "Q2 alt");
    expect(t.repo.deleteMessage(u2.id).activeLeafId).toBe(alt.id);
  });

  it("deleting a root falls back to the newest remaining leaf, or none", () => {
    t = openTestDb();
    const { c, u1 } = chat();
    const second = t.repo.editAndResend(u1.id, "other root");
    expect(t.repo.deleteMessage(second.id).activeLeafId).toBe(t.repo.listBranchPath(c.id).at(-1)?.id);
    expect(contents(c.id)).toEqual(["Q1", "A1", "Q2", "A2"]);
    expect(t.repo.deleteMessage(u1.id)).toMatchObject({ activeLeafId: null });
    expect(t.repo.getConversation(c.id).activeLeafId).toBeUndefined();
    expect(t.db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(0);
  });

  it("deletes a subtree deeper than SQLite's 1000-level cascade limit", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    const root = t.repo.appendMessage(c.id, { role: "user", content: "start" });
    const insert = t.db.prepare(
      `INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at, updated_at)
       VALUES (?, ?, ?, 'tool', 'x', 1, 1)`,
    );
    t.db.transaction(() => {
      let parent = root.id;
      for (let i = 0; i < 1200; i++) {
        insert.run(`deep-${i}`, c.id, parent);
        parent = `deep-${i}`;
      }
    })();
    expect(t.repo.listBranchPath(c.id, "deep-1199")).toHaveLength(1201);
    expect(t.repo.deleteMessage(root.id).deletedIds).toHaveLength(1201);
    expect(t.db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(0);
  });
});
