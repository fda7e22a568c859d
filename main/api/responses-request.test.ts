import { describe, expect, it } from "vitest";
import { ResponsesRequestSchema } from "../../app/contract/openai-api";
import { responsesToGeneration } from "./responses-request";

// The Responses request mapper alone (no engine): what the engine's renderer receives.

const request = (body: Record<string, unknown>) => responsesToGeneration(ResponsesRequestSchema.parse({ model: "m2", ...body }));

describe("Responses request mapping", () => {
  it("joins instructions and leading developer items into the system prompt; a developer item later on becomes a user turn in its place, which the template would drop", () => {
    const generation = request({
      instructions: "You are Codex.",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Sandbox: workspace-write." }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Create hello.txt" }] },
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Approvals changed: never." }] },
      ],
    });
    expect(generation.messages).toEqual([
      { role: "system", content: "You are Codex.\n\nSandbox: workspace-write." },
      { role: "user", content: "Create hello.txt" },
      { role: "user", content: "Approvals changed: never." },
    ]);
  });
});

describe("Responses tool_choice", () => {
  const tools = [{ type: "function", name: "exec_command", parameters: { type: "object", properties: {} } }, { type: "web_search" }];
  const input = "Run ls.";

  it("required and a named function make the engine force a call; auto and none do not", () => {
    expect(request({ input, tools, tool_choice: "required" }).toolChoice).toBe("required");
    expect(request({ input, tools, tool_choice: { type: "function", name: "exec_command" } }).toolChoice).toEqual({ name: "exec_command" });
    expect(request({ input, tools, tool_choice: "auto" }).toolChoice).toBeUndefined();
    expect(request({ input, tools, tool_choice: "none" })).not.toHaveProperty("toolChoice");
  });

  it("forces nothing when no function tool is left (only a built-in one)", () => {
    expect(request({ input, tools: [{ type: "web_search" }], tool_choice: "required" })).not.toHaveProperty("toolChoice");
  });
});
