import { afterEach, describe, expect, it } from "vitest";
import { ChatExportSchema } from "../../app/chat/export-format";
import { exportJson, exportMarkdown, importJson } from "./export";
import { openTestDb, type TestDb } from "./testing";

let t: TestDb;
afterEach(() => t.cleanup());

/** Two branches: the first answer was regenerated, and the conversation continues on the second. */
function seed() {
  const c = t.repo.createConversation({ kind: "agent", workspace: "/w", settings: { systemPrompt: "Be brief.", temperature: 0.6 } });
  t.repo.appendMessage(c.id, { role: "user", content: "List the files" });
  const first = t.repo.appendMessage(c.id, { role: "assistant", content: "OLD BRANCH ANSWER" });
  const second = t.repo.regenerate(first.id);
  t.db.prepare("DELETE FROM messages WHERE id = ?").run(second.id); // replaced below by a complete one
  t.repo.setActiveLeaf(c.id, first.id);
  const answer = t.repo.appendMessage(c.id, {
    parentId: first.parentId, role: "assistant", reasoning: "I should call ls.\n</details> tricky",
    toolCalls: [{ id: "call-1", name: "ls", arguments: { dir: "." } }],
    stats: { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, ttftMs: 1, prefillTps: 1, decodeTps: 1, generatedTokens: 1, totalMs: 1 },
    generation: { model: "MiniMax-M2.5", family: "MiniMax-M2.5", quantization: "Q4_K_M", contextSize: 32768, temperature: 0.6, topP: 0.95, topK: 40 },
  });
  t.repo.appendMessage(c.id, { role: "tool", content: "a.txt\n```not a fence```", toolCallId: "call-1", toolName: "ls" });
  t.repo.appendMessage(c.id, { role: "assistant", content: "There is **one** file.", status: "stopped" });
  return { c, first, answer };
}

describe("exportMarkdown", () => {
  it("writes the active branch only: title, messages, thinking collapsed, tool calls as JSON", () => {
    t = openTestDb();
    const { c } = seed();
    const md = exportMarkdown(t.repo, c.id);
    expect(md).toBe(
      [
        "# List the files",
        "## System\n\nBe brief.",
        "## User\n\nList the files",
        "## Assistant\n\n_MiniMax-M2.5 · MiniMax-M2.5 (Q4_K_M) · temperature 0.6 · top-p 0.95 · top-k 40 · context 32,768_\n\n<details><summary>Thinking</summary>\n\nI should call ls.\n&lt;/details&gt; tricky\n\n</details>\n\n" +
          'Tool call `ls`:\n\n```json\n{\n  "name": "ls",\n  "arguments": {\n    "dir": "."\n  }\n}\n```',
        "## Tool result: `ls`\n\n````\na.txt\n```not a fence```\n````",
        "## Assistant\n\nThere is **one** file.\n\n_Stopped by the user._",
      ].join("\n\n") + "\n",
    );
    expect(md).not.toContain("OLD BRANCH ANSWER");
  });
});

describe("exportJson / importJson", () => {
  it("round-trips the whole tree, every branch, under new ids", () => {
    t = openTestDb();
    const { c } = seed();
    const doc = exportJson(t.repo, c.id);
    expect(ChatExportSchema.safeParse(doc).success).toBe(true);
    expect(doc.messages.map((m) => m.content)).toContain("OLD BRANCH ANSWER");
    expect(doc.messages.find((m) => m.generation)?.generation).toMatchObject({ model: "MiniMax-M2.5", quantization: "Q4_K_M", contextSize: 32768 });

    const imported = importJson(t.repo, JSON.stringify(doc));
    expect(imported.id).not.toBe(c.id);
    const { id: _a, ...importedRest } = imported;
    const { id: _b, activeLeafId: _l1, ...originalRest } = t.repo.getConversation(c.id);
    expect({ ...importedRest, activeLeafId: undefined }).toEqual({ ...originalRest, activeLeafId: undefined });

    const strip = (ms: ReturnType<typeof t.repo.listMessages>) => ms.map(({ id: _i, conversationId: _c, parentId, ...m }) => ({ ...m, root: parentId === null }));
    const copied = t.repo.listMessages(imported.id);
    expect(strip(copied)).toEqual(strip(t.repo.listMessages(c.id)));
    expect(copied.every((m) => !doc.messages.some((d) => d.id === m.id))).toBe(true);
    expect(t.repo.listBranchPath(imported.id).map((m) => m.content)).toEqual(t.repo.listBranchPath(c.id).map((m) => m.content));
    expect(exportMarkdown(t.repo, imported.id)).toBe(exportMarkdown(t.repo, c.id));
    expect(t.repo.search("OLD BRANCH").map((h) => h.conversationId).sort()).toEqual([c.id, imported.id].sort());
  });

  it("imports a message exported mid-stream as interrupted", () => {
    t = openTestDb();
    const c = t.repo.createConversation();
    t.repo.appendMessage(c.id, { role: "user", content: "Q" });
    t.repo.appendMessage(c.id, { role: "assistant", status: "streaming", content: "half" });
    const imported = importJson(t.repo, exportJson(t.repo, c.id));
    expect(t.repo.listBranchPath(imported.id).at(-1)).toMatchObject({ status: "interrupted", content: "half" });
  });

  it("refuses garbage with a typed error and writes nothing", () => {
    t = openTestDb();
    const { c } = seed();
    const good = exportJson(t.repo, c.id);
    const count = () => t.db.prepare("SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM messages)").pluck().get();
    const before = count();
    const [m0, m1, m2] = good.messages;
    if (!m0 || !m1 || !m2) throw new Error("seed too small");
    const cases: Array<[string, unknown, RegExp]> = [
      ["not JSON", "{oops", /not JSON/],
      ["not an export", { hello: "world" }, /Invalid chat export/],
      ["a future version", { ...good, version: 2 }, /Invalid chat export/],
      ["a bad role", { ...good, messages: [{ ...m0, role: "robot" }] }, /Invalid chat export/],
      ["tool call arguments as a string", { ...good, messages: [{ ...m0, toolCalls: [{ id: "x", name: "y", arguments: "{}" }] }] }, /Invalid chat export/],
      ["tool call arguments nested 10,000 deep", { ...good, messages: [{ ...m0, toolCalls: [{ id: "x", name: "y", arguments: { v: JSON.parse(`${"[".repeat(10_000)}${"]".repeat(10_000)}`) } }] }, ...good.messages.slice(1)] }, /Invalid chat export/],
      ["duplicate ids", { ...good, messages: [m0, { ...m1, id: m0.id }] }, /duplicate message id/],
      ["a dangling parent", { ...good, messages: [m0, { ...m1, parentId: "nowhere" }] }, /parent is missing/],
      ["a cycle", { ...good, messages: [m0, { ...m1, parentId: m2.id }, { ...m2, parentId: m1.id }] }, /cycle/],
      ["a missing active leaf", { ...good, conversation: { ...good.conversation, activeLeafId: "nowhere" } }, /active leaf/],
      ["an unknown field", { ...good, extra: true }, /Invalid chat export/],
    ];
    for (const [name, doc, message] of cases) {
      expect(() => importJson(t.repo, doc), name).toThrow(expect.objectContaining({ code: "bad_request", message: expect.stringMatching(message) }));
    }
    expect(count()).toBe(before);
  });

  it("rolls back an import that fails halfway through its writes", () => {
    let ids = 0;
    let failAt = Infinity;
    t = openTestDb({
      newId: () => {
        if (++ids >= failAt) throw new Error("disk on fire");
        return `id-${ids}`;
      },
    });
    const { c } = seed();
    const good = exportJson(t.repo, c.id);
    const before = t.db.prepare("SELECT count(*) FROM messages").pluck().get();
    failAt = ids + 4; // the conversation and two messages get written first
    expect(() => importJson(t.repo, good)).toThrow(
      expect.objectContaining({ code: "storage", message: expect.stringContaining("disk on fire") }),
    );
    expect(t.db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(before);
    expect(t.repo.listConversations({ now: t.clock.now }).flatMap((g) => g.conversations)).toHaveLength(1);
  });
});
