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

describe("Anthropic deferred tools (Claude Code's ToolSearch)", () => {
  const schema = { type: "object", properties: {} };
  const tools = [
    { name: "ToolSearch", description: "Loads deferred tools.", input_schema: schema },
    { name: "DeferredToolPlaceholder", description: "Never call this tool.", input_schema: schema, defer_loading: true },
    { name: "CronCreate", description: "Schedules a job.", input_schema: schema, defer_loading: true },
  ];
  const names = (generation: ReturnType<typeof request>) => generation.tools?.map((tool) => tool.function.name);

  it("leaves a defer_loading tool out of the prompt until a tool_reference loads it", () => {
    expect(names(request({ tools, messages: [{ role: "user", content: "Schedule a job." }] }))).toEqual(["ToolSearch"]);
  });

  it("renders a tool_reference in a tool_result as the tool it loaded, and lists that tool from then on", () => {
    const generation = request({
      tools,
      messages: [
        { role: "user", content: "Schedule a job." },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "ToolSearch", input: { query: "cron" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "tool_reference", tool_name: "CronCreate" }] }] },
      ],
    });
    expect(names(generation)).toEqual(["ToolSearch", "CronCreate"]);
    expect(generation.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "Tool loaded: CronCreate" }] });
  });

  it("still refuses a part it cannot read in a tool_result, naming it", () => {
    const messages = [
      { role: "user", content: "Look." },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "ToolSearch", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "image", source: {} }] }] },
    ];
    expect(() => request({ tools, messages })).toThrow(expect.objectContaining({ code: "bad_request", message: expect.stringContaining("messages[2].content[0].content[0] is a image block") }));
  });
});

describe("Anthropic tool_choice", () => {
  const tools = [
    { name: "Write", input_schema: { type: "object", properties: {} } },
    { name: "Read", input_schema: { type: "object", properties: {} } },
  ];
  const messages = [{ role: "user", content: "Write it." }];

  it("any forces some call, a named tool forces that one (the only tool offered); auto forces nothing", () => {
    expect(request({ tools, messages, tool_choice: { type: "any" } }).toolChoice).toBe("required");
    const named = request({ tools, messages, tool_choice: { type: "tool", name: "Write" } });
    expect(named.toolChoice).toEqual({ name: "Write" });
    expect(named.tools?.map((tool) => tool.function.name)).toEqual(["Write"]);
    expect(request({ tools, messages, tool_choice: { type: "auto" } })).not.toHaveProperty("toolChoice");
  });
});
