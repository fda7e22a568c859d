import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../../../app/chat/types";
import { siblingAt, snippetSegments, upsertMessage, type ViewItem } from "./branch";

const msg = (id: string, parentId: string | null, over: Partial<StoredMessage> = {}): StoredMessage => ({
  id, conversationId: "c", parentId, role: "user", content: id, reasoning: "", toolCalls: [], status: "complete", createdAt: 0, updatedAt: 0, ...over,
});
const item = (m: StoredMessage, ids = [m.id]): ViewItem => ({ message: m, siblings: { index: ids.indexOf(m.id), count: ids.length, ids } });

describe("upsertMessage", () => {
  const view = [item(msg("u1", null)), item(msg("a1", "u1", { role: "assistant" }))];

  it("replaces a known message and keeps its siblings", () => {
    const next = upsertMessage(view, msg("a1", "u1", { role: "assistant", content: "new" }));
    expect(next?.[1]?.message.content).toBe("new");
    expect(next?.[1]?.siblings.ids).toEqual(["a1"]);
  });

  it("appends a reply to the leaf", () => {
    expect(upsertMessage(view, msg("u2", "a1"))?.map((i) => i.message.id)).toEqual(["u1", "a1", "u2"]);
  });

  it("turns a regeneration into the branch on screen, with the old answer as a sibling", () => {
    const next = upsertMessage(view, msg("a2", "u1", { role: "assistant" }));
    expect(next?.map((i) => i.message.id)).toEqual(["u1", "a2"]);
    expect(next?.[1]?.siblings).toEqual({ index: 1, count: 2, ids: ["a1", "a2"] });
  });

  it("asks for a refetch when the parent is not on screen", () => {
    expect(upsertMessage(view, msg("x", "elsewhere"))).toBeNull();
  });

  it("steps between siblings", () => {
    expect(siblingAt({ index: 1, count: 3, ids: ["a", "b", "c"] }, -1)).toBe("a");
    expect(siblingAt({ index: 2, count: 3, ids: ["a", "b", "c"] }, 1)).toBeUndefined();
  });
});

describe("snippetSegments", () => {
  it("splits « » marks into segments, keeping HTML as text", () => {
    expect(snippetSegments("…the «quick» <b>fox» «jumps»")).toEqual([
      { text: "…the ", mark: false },
      { text: "quick", mark: true },
      { text: " <b>fox» ", mark: false },
      { text: "jumps", mark: true },
    ]);
  });
});
