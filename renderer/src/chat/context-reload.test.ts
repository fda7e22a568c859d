import { describe, expect, it } from "vitest";
import type { MessageFailure, StoredMessage } from "../../../app/chat/types";
import type { GenerationEvent, LoadedModel } from "../../../app/contract";
import { latestReloadOffer, reloadRequest } from "./context-reload";
import { applyEvents, newLiveAnswer } from "./live-answer";

// The done event as the engine sends it for a prompt that does not fit (engine/runtime/context-overflow.engine.test.ts).
const overflow: GenerationEvent = {
  type: "done",
  finish_reason: "error",
  error: {
    code: "context_overflow",
    message: "The prompt is 1346 tokens; the context holds 512; reload with 4,096 tokens of context to fit it",
    details: { promptTokens: 1346, contextSize: 512, replyTokens: 64, reloadContext: 4096 },
  },
};
const item = (id: string, role: StoredMessage["role"], failure?: MessageFailure) => ({ message: { id, role, ...(failure ? { failure } : {}) } });

describe("latestReloadOffer", () => {
  const answers = { g1: applyEvents(newLiveAnswer("g1", 0), [overflow], 1) };

  it("offers the planner's context for the latest answer that overflowed", () => {
    expect(latestReloadOffer([item("u1", "user"), item("a1", "assistant")], { a1: "g1" }, answers)).toEqual({
      messageId: "a1",
      promptTokens: 1346,
      contextSize: 512,
      replyTokens: 64,
      reloadContext: 4096,
    });
  });

  it("offers the same from the failure stored with the message when this window did not stream it (after a restart)", () => {
    const stored = { code: "context_overflow", details: { promptTokens: 1346, contextSize: 512, replyTokens: 64, reloadContext: 4096 } };
    expect(latestReloadOffer([item("u1", "user"), item("a9", "assistant", stored)], {}, {})).toEqual({
      messageId: "a9",
      promptTokens: 1346,
      contextSize: 512,
      replyTokens: 64,
      reloadContext: 4096,
    });
    expect(latestReloadOffer([item("a9", "assistant", { code: "engine_crashed" })], {}, {})).toBeNull();
  });

  it("offers nothing for an older answer, another error, or an overflow with no larger context", () => {
    expect(latestReloadOffer([item("a1", "assistant"), item("u2", "user")], { a1: "g1" }, answers)).toBeNull();
    const other = applyEvents(newLiveAnswer("g2", 0), [{ type: "done", finish_reason: "error", error: { code: "engine_crashed", message: "boom" } }], 1);
    expect(latestReloadOffer([item("a2", "assistant")], { a2: "g2" }, { g2: other })).toBeNull();
    const none = applyEvents(newLiveAnswer("g3", 0), [{ ...overflow, error: { ...overflow.error!, details: { promptTokens: 9000, contextSize: 8192, reloadContext: null } } }], 1);
    expect(latestReloadOffer([item("a3", "assistant")], { a3: "g3" }, { g3: none })).toBeNull();
  });
});

describe("reloadRequest", () => {
  it("reloads the same file on the same backend with the new context", () => {
    const loaded = { report: { path: "/m/model.gguf" }, backend: { backend: "cuda" } } as unknown as LoadedModel;
    expect(reloadRequest(loaded, 8192)).toEqual({ path: "/m/model.gguf", options: { gpu: "cuda", contextSize: 8192 } });
    const odd = { report: { path: "/m/x.gguf" }, backend: { backend: "rocm" } } as unknown as LoadedModel;
    expect(reloadRequest(odd, 4096).options.gpu).toBe("auto");
  });
});
