import { afterEach, describe, expect, it } from "vitest";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => t.cleanup());

function seed() {
  const c = t.repo.createConversation({ title: "Caching" });
  const u = t.repo.appendMessage(c.id, { role: "user", content: "How does the KV cache work?" });
  const a = t.repo.appendMessage(c.id, {
    role: "assistant",
    content: "It keeps keys and values so the prompt prefix is not evaluated again.",
    reasoning: "The user asks about the cache; explain prefix reuse and eviction.",
  });
  const other = t.repo.createConversation({ title: "Other" });
  const o = t.repo.appendMessage(other.id, { role: "user", content: "Unrelated: résumé formatting" });
  return { c, u, a, other, o };
}

describe("search (FTS5 over content and reasoning)", () => {
  it("finds matches in content and in reasoning, with highlighted snippets", () => {
    t = openTestDb();
    const { c, u, a } = seed();
    const hits = t.repo.search("cache");
    expect(hits).toHaveLength(2);
    expect(hits).toEqual(expect.arrayContaining([
      { conversationId: c.id, conversationTitle: "Caching", messageId: u.id, role: "user", field: "content",
        snippet: "How does the KV «cache» work?" },
      { conversationId: c.id, conversationTitle: "Caching", messageId: a.id, role: "assistant", field: "reasoning",
        snippet: "The user asks about the «cache»; explain prefix reuse and eviction." },
    ]));
    const evaluated = t.repo.search("evaluated");
    expect(evaluated).toEqual([expect.objectContaining({ messageId: a.id, field: "content" })]);
    expect(evaluated[0]?.snippet).toContain("«evaluated»");
  });

  it("groups the versions of a branched message (edits, regenerations) into one hit, the best match, with their count", () => {
    t = openTestDb();
    const { c, u } = seed();
    const edited = t.repo.editAndResend(u.id, "How does the KV cache work, in short?");
    t.repo.editAndResend(edited.id, "And the cache eviction?");
    const answer = t.repo.appendMessage(c.id, { role: "assistant", content: "A cache keeps keys." });
    t.repo.regenerate(answer.id);
    const users = t.repo.search("cache").filter((h) => h.role === "user");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ field: "content", versions: 3 });
    // Another message (a different parent) stays a hit of its own; an unbranched one has no count.
    const assistant = t.repo.search("cache").filter((h) => h.role === "assistant" && h.field === "content");
    expect(assistant.map((h) => h.versions)).toEqual([undefined]);
    t.repo.appendMessage(c.id, { role: "user", content: "One more cache question" });
    expect(t.repo.search("cache").filter((h) => h.role === "user")).toHaveLength(2);
  });

  it("matches prefixes, phrases, diacritics-insensitively, and across both fields", () => {
    t = openTestDb();
    const { a, o } = seed();
    expect(t.repo.search("evict").map((h) => h.messageId)).toEqual([a.id]);
    expect(t.repo.search('"prompt prefix"').map((h) => h.field)).toEqual(["content"]);
    expect(t.repo.search('"prefix prompt"')).toEqual([]);
    expect(t.repo.search("resume").map((h) => h.messageId)).toEqual([o.id]);
    // One word in the content, the other in the reasoning: one message, both fields highlighted.
    expect(t.repo.search("values eviction").map((h) => [h.messageId, h.field])).toEqual([
      [a.id, "content"], [a.id, "reasoning"],
    ]);
  });

  it("cuts long text into a snippet with ellipses", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    const long = `${"filler ".repeat(200)}needle ${"filler ".repeat(200)}`;
    t.repo.appendMessage(c.id, { role: "user", content: long });
    const [hit] = t.repo.search("needle");
    expect(hit?.snippet).toMatch(/^….*«needle».*…$/);
    expect(hit?.snippet.length).toBeLessThan(200);
  });

  it("can be limited to one conversation, and follows edits and deletes", () => {
    t = openTestDb();
    const { c, u, other } = seed();
    expect(t.repo.search("cache", { conversationId: other.id })).toEqual([]);
    expect(t.repo.search("cache", { conversationId: c.id })).toHaveLength(2);
    t.repo.deleteMessage(u.id); // takes the answer with it
    expect(t.repo.search("cache")).toEqual([]);
  });

  it("never throws on hostile or malformed queries", () => {
    t = openTestDb();
    const { a } = seed();
    const nasty = [
      '"', '""', '"""', "'", "(", ")", "(()", "AND", "OR", "NOT", "cache AND", "OR cache", "NOT NOT",
      "NEAR(", "NEAR(cache, 2)", "cache*", "*cache", "^cache", "content:", "content: cache", "{content reasoning}: x",
      "col:umn", "-cache", "+cache", "cache -", "a:b:c", '"cache', 'cache"', "\\", "\u0000", "%", "_", "'; DROP TABLE messages; --",
      "\u{1F600}", "\uE000", "𝓬𝓪𝓬𝓱𝓮", "   ", "", "cache\nwork", "a".repeat(5000),
    ];
    for (const q of nasty) expect(() => t.repo.search(q), q).not.toThrow();
    // Operators are plain words: "and" must match too, which only the answer has ("keys and values").
    expect(new Set(t.repo.search("cache AND").map((h) => h.messageId))).toEqual(new Set([a.id]));
    expect(t.repo.search("cache*")).toHaveLength(2);
  });

  it("never throws on random input", () => {
    t = openTestDb();
    seed();
    const alphabet = 'abc "()*:^-+{}NEARORANDNOT,.\\\'\u00e9\u4e2d\u0000 ';
    let seed32 = 42;
    const rand = () => ((seed32 = (seed32 * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const q = Array.from({ length: Math.floor(rand() * 20) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
      expect(() => t.repo.search(q), JSON.stringify(q)).not.toThrow();
    }
  });
});
