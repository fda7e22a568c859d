import { readFileSync } from "node:fs";
import { Template } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import { renderM2Prompt } from "../m2/prompt";
import { ChatMessageSchema, type ChatMessage } from "../m2/types";
import { renderM3Prompt } from "../m3";
import { buildM2Messages, reasoningPolicyFor, type ReasoningPolicy } from "./history";
import type { NewMessage, StoredMessage } from "./types";

const template = new Template(readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8"));
const jinja = (messages: ChatMessage[]) => template.render({ messages, add_generation_prompt: true });

let n = 0;
/** A root→leaf path as listBranchPath returns it. */
function path(...specs: Array<NewMessage & { role: StoredMessage["role"] }>): StoredMessage[] {
  let parentId: string | null = null;
  return specs.map((s) => {
    const id = `m${++n}`;
    const m: StoredMessage = {
      id, conversationId: "c", parentId, role: s.role, content: s.content ?? "", reasoning: s.reasoning ?? "",
      toolCalls: s.toolCalls ?? [], status: s.status ?? "complete", createdAt: n, updatedAt: n,
      ...(s.toolCallId !== undefined && { toolCallId: s.toolCallId }),
      ...(s.toolName !== undefined && { toolName: s.toolName }),
      ...(s.error !== undefined && { error: s.error }),
    };
    parentId = id;
    return m;
  });
}

const call = { id: "call-1", name: "get_weather", arguments: { city: "Paris", days: 2 } };
const policies: ReasoningPolicy[] = ["afterLastUser", "all"];

describe("buildM2Messages", () => {
  it("builds the wire messages: system first, assistant fields apart, tool results with id and name", () => {
    const messages = buildM2Messages(
      path(
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: "Let me check.", reasoning: "Need the tool.", toolCalls: [call] },
        { role: "tool", content: '{"temp":21}', toolCallId: "call-1", toolName: "get_weather" },
      ),
      { systemPrompt: "Be brief." },
    );
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant", content: "Let me check.", reasoning_content: "Need the tool.",
        tool_calls: [{ id: "call-1", type: "function", function: { name: "get_weather", arguments: { city: "Paris", days: 2 } } }],
      },
      { role: "tool", content: '{"temp":21}', tool_call_id: "call-1", name: "get_weather" },
    ]);
    for (const m of messages) expect(ChatMessageSchema.safeParse(m).success).toBe(true);
  });

  it("skips failed turns and empty stubs, keeps partial answers, drops tool results left without their call", () => {
    const messages = buildM2Messages(
      path(
        { role: "system", content: "Stored system prompt" },
        { role: "user", content: "Q" },
        { role: "assistant", status: "error", error: "engine crashed", toolCalls: [call] },
        { role: "tool", content: "orphan", toolCallId: "call-1" },
        { role: "assistant", status: "interrupted" },
        { role: "assistant", status: "stopped", content: "Partial ans" },
        { role: "user", content: "Go on" },
        { role: "assistant", status: "streaming" },
      ),
      {},
    );
    expect(messages).toEqual([
      { role: "system", content: "Stored system prompt" },
      { role: "user", content: "Q" },
      { role: "assistant", content: "Partial ans", reasoning_content: "" },
      { role: "user", content: "Go on" },
    ]);
  });

  it("never lets the template re-split <think> out of stored content", () => {
    const [, assistant] = buildM2Messages(
      path({ role: "user", content: "Q" }, { role: "assistant", content: "literal </think> in the answer" }),
      {},
    );
    expect(assistant).toMatchObject({ reasoning_content: "" });
    expect(renderM2Prompt({ messages: [assistant as ChatMessage] })).toContain("literal </think> in the answer");
  });

  describe.each(policies)("interleaved thinking through the renderer, policy %s", (reasoning) => {
    it("a follow-up in a tool loop carries the earlier step's reasoning into the prompt", () => {
      const messages = buildM2Messages(
        path(
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", reasoning: "STEP-ONE-REASONING", toolCalls: [call] },
          { role: "tool", content: "21C", toolCallId: "call-1", toolName: "get_weather" },
        ),
        {},
        { reasoning },
      );
      const prompt = renderM2Prompt({ messages });
      expect(prompt).toContain("<think>\nSTEP-ONE-REASONING\n</think>");
      expect(prompt).toBe(jinja(messages));
    });

    it("a new user turn drops the reasoning of earlier turns", () => {
      const messages = buildM2Messages(
        path(
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", reasoning: "OLD-STEP", toolCalls: [call] },
          { role: "tool", content: "21C", toolCallId: "call-1", toolName: "get_weather" },
          { role: "assistant", reasoning: "OLD-ANSWER", content: "21C and sunny." },
          { role: "user", content: "And tomorrow?" },
        ),
        {},
        { reasoning },
      );
      const prompt = renderM2Prompt({ messages });
      expect(prompt).not.toContain("OLD-STEP");
      expect(prompt).not.toContain("OLD-ANSWER");
      expect(prompt).toContain("21C and sunny.");
      expect(prompt).toBe(jinja(messages));
    });
  });

  it("gives byte-identical prompts under both policies (the template drops what afterLastUser leaves out)", () => {
    const branch = path(
      { role: "user", content: "Plan a trip" },
      { role: "assistant", reasoning: "r1", content: "Where to?" },
      { role: "user", content: "Paris" },
      { role: "assistant", reasoning: "r2", toolCalls: [call] },
      { role: "tool", content: "21C", toolCallId: "call-1", toolName: "get_weather" },
      { role: "assistant", reasoning: "r3", content: "Pack light." },
    );
    const [trimmed, full] = policies.map((reasoning) => buildM2Messages(branch, { systemPrompt: "S" }, { reasoning }));
    expect(trimmed).not.toEqual(full);
    const prompt = renderM2Prompt({ messages: trimmed ?? [] });
    expect(renderM2Prompt({ messages: full ?? [] })).toBe(prompt);
    expect(jinja(full ?? [])).toBe(prompt);
    expect(prompt).not.toContain("r1");
    expect(prompt).toContain("<think>\nr2\n</think>");
    expect(prompt).toContain("<think>\nr3\n</think>");
  });
});

describe("reasoning kept per family", () => {
  it("M3 and M3.1 keep every turn's reasoning, as M3's template renders it; the M2 models and unknown keep the current loop's", () => {
    expect(reasoningPolicyFor("minimax-m3")).toBe("all");
    expect(reasoningPolicyFor("minimax-m3.1")).toBe("all");
    for (const id of ["minimax-m2", "minimax-m2.1", "minimax-m2.5", "minimax-m2.7", "unknown", undefined] as const) expect(reasoningPolicyFor(id)).toBe("afterLastUser");
  });

  it("an earlier turn's reasoning reaches M3's prompt under M3's policy, and would be lost under M2's", () => {
    const branch = path({ role: "user", content: "Hi" }, { role: "assistant", content: "Hello", reasoning: "They greet me." }, { role: "user", content: "Again" });
    const m3 = renderM3Prompt({ messages: buildM2Messages(branch, {}, { reasoning: reasoningPolicyFor("minimax-m3") }) });
    expect(m3).toContain("<mm:think>They greet me.</mm:think>");
    expect(renderM3Prompt({ messages: buildM2Messages(branch, {}, { reasoning: reasoningPolicyFor("minimax-m2") }) })).not.toContain("They greet me.");
  });
});
