import { describe, expect, it } from "vitest";
import { AnthropicMessagesRequestSchema } from "../../app/contract/anthropic-api";
import { messagesToGeneration } from "./anthropic-request";

// The Messages request mapper alone (no engine): what the engine's renderer receives.

const request = (body: Record<string, unknown>) => messagesToGeneration(AnthropicMessagesRequestSchema.parse({ model: "claude-x", max_tokens: 64, ...body }));

describe("Anthropic request mapping", () => {
  it("keeps a system message inside `messages` (Claude Code's environment notes) as a user turn in its place, since the template renders only a leading system turn", () => {
    const generation = request({
      system: [{ type: "text", text: "You are Claude Code." }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Create hello.txt" }] },
        { role: "system", content: [{ type: "text", text: "# Environment\nPrimary working directory: /w", cache_control: { type: "ephemeral" } }] },
        { role: "system", content: "Platform: linux" },
      ],
    });
    expect(generation.messages).toEqual([
      { role: "system", content: [{ type: "text", text: "You are Claude Code." }] },
      { role: "user", content: [{ type: "text", text: "Create hello.txt" }] },
      { role: "user", content: [{ type: "text", text: "# Environment\nPrimary working directory: /w" }] },
      { role: "user", content: "Platform: linux" },
    ]);
  });

  it("refuses an image block in such a system message with a 400 naming it", () => {
    expect(() => request({ messages: [{ role: "user", content: "hi" }, { role: "system", content: [{ type: "image", source: {} }] }] })).toThrow(
      expect.objectContaining({ code: "bad_request", message: expect.stringContaining("messages[1].content[0] is a image block") }),
    );
  });
});
