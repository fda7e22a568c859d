import { describe, expect, it } from "vitest";
import { GenerationRequestSchema } from "../../app/contract";
import { ChatCompletionRequestSchema } from "../../app/contract/openai-api";
import { renderM2Prompt } from "../../app/m2/prompt";
import { chatCompletionToGeneration } from "./openai-request";

// A client's tool exactly as it is on the wire: description first, `strict`, a vendor key.
const wire = `{"model":"m2","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"description":"Look it up.","strict":true,"name":"lookup","parameters":{"type":"object","required":["q"],"properties":{"q":{"type":"string"}}},"x-vendor":{"a":1}}}]}`;

describe("chat completions pass the client's tool JSON through to the template (issue 13)", () => {
  it("keeps the function object's key order and every key", () => {
    const request = chatCompletionToGeneration(ChatCompletionRequestSchema.parse(JSON.parse(wire)));
    const sent = (JSON.parse(wire) as { tools: { function: unknown }[] }).tools[0]?.function;
    expect(JSON.stringify(request.tools?.[0]?.function)).toBe(JSON.stringify(sent));
    // What the engine receives and renders.
    const parsed = GenerationRequestSchema.parse(JSON.parse(JSON.stringify(request)));
    expect(renderM2Prompt({ messages: parsed.messages, tools: parsed.tools })).toContain(
      '<tool>{"description": "Look it up.", "strict": true, "name": "lookup", "parameters": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}}, "x-vendor": {"a": 1}}</tool>',
    );
  });

  it("still refuses a tool without a name, saying where", () => {
    const body = JSON.parse(wire) as { tools: { function: Record<string, unknown> }[] };
    delete body.tools[0]?.function.name;
    const parsed = ChatCompletionRequestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["tools", 0, "function", "name"]);
  });
});
