import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectModelFamily, familyById } from "../family";
import { joinM2Events } from "../m2/parser-output";
import type { PromptRequest } from "../m2/types";
import { M3_THINKING_MODES, m3GenerationPrefill, m3Protocol, renderM3Prompt } from "./index";

const request: PromptRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather?" },
    { role: "assistant", content: "", reasoning_content: "Use the tool.", tool_calls: [{ function: { name: "w", arguments: '{"city": "Oslo"}' } }] },
    { role: "tool", content: "-3C" },
  ],
  tools: [{ type: "function", function: { name: "w", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
};

describe("m3Protocol", () => {
  it("renders the app's conversation as M3's template does, the system message as the developer prompt", () => {
    const prompt = m3Protocol.renderPrompt(request);
    expect(prompt).toBe(renderM3Prompt({ messages: request.messages, tools: request.tools, thinking_mode: "adaptive" }));
    expect(prompt).toContain("]~b]developer\nBe brief.\n\n# Tools\n");
    // Reasoning of an earlier turn of the tool loop goes back to the model.
    expect(prompt).toContain("]~b]ai\n<mm:think>Use the tool.</mm:think>]<]minimax[>[<tool_call>\n");
    expect(m3Protocol.reasoningInHistory).toBe("all");
    expect(m3Protocol.generationPrefill).toBe("");
  });

  it.each(M3_THINKING_MODES)("renders and parses thinking %s consistently", (thinking) => {
    const prompt = m3Protocol.renderPrompt(request, { thinking });
    expect(prompt.endsWith(`]~b]ai\n${m3GenerationPrefill(thinking)}`)).toBe(true);
    // What the model writes after that prefill, in each mode.
    const output = { enabled: "Cold.</mm:think>It is -3C.", adaptive: "<mm:think>Cold.</mm:think>It is -3C.", disabled: "It is -3C." }[thinking];
    const parser = m3Protocol.createParser({ tools: request.tools, thinking });
    const events = joinM2Events([...parser.push(output), ...parser.end("stop")]);
    const reasoning = thinking === "disabled" ? [] : [{ type: "reasoning_delta", text: "Cold." }];
    expect(events).toEqual([...reasoning, { type: "content_delta", text: "It is -3C." }, { type: "done", finish_reason: "stop" }]);
  });

  it("types a call's arguments by the request's tools", () => {
    const parser = m3Protocol.createParser({
      tools: [{ function: { name: "n", parameters: { type: "object", properties: { k: { type: "integer" } } } } }],
    });
    const events = [...parser.push("</mm:think>]<]minimax[>[<tool_call>\n]<]minimax[>[<invoke name=\"n\">]<]minimax[>[<k>7]<]minimax[>[</k>]<]minimax[>[</invoke>\n]<]minimax[>[</tool_call>"), ...parser.end("stop")];
    expect(events.filter((event) => event.type === "tool_call_completed")).toEqual([{ type: "tool_call_completed", index: 0, name: "n", arguments: { k: 7 } }]);
    expect(events.at(-1)).toEqual({ type: "done", finish_reason: "tool_calls" });
  });
});

describe("the M3 family entry", () => {
  const official = readFileSync(new URL("../../resources/minimax-m3.jinja", import.meta.url), "utf8");

  it.each([
    ["its name", { architecture: "minimax-m3", name: "MiniMax-M3", chatTemplate: null }, "name"],
    ["the namespace token in its template", { architecture: "minimax-m3", name: null, chatTemplate: "{{ ']<]minimax[>[' }}" }, "template-marker"],
    ["its architecture alone", { architecture: "minimax-m3", name: "Some Fine-Tune", chatTemplate: null }, "architecture"],
  ] as const)("is detected from %s and speaks M3's protocol", (_what, evidence, by) => {
    const detection = detectModelFamily(evidence);
    expect(detection).toMatchObject({ id: "minimax-m3", displayName: "MiniMax-M3", by });
    expect(detection.family?.protocol).toBe(m3Protocol);
  });

  it("ships the official template and MiniMax's sampling", () => {
    const family = familyById("minimax-m3");
    expect(family?.templateFile).toBe("minimax-m3.jinja");
    expect(detectModelFamily({ architecture: "minimax-m3", name: null, chatTemplate: official }, (f) => (f.templateFile === "minimax-m3.jinja" ? official : undefined)).by).toBe("template");
    expect(family?.sampling).toEqual({ temperature: 1.0, topP: 0.95, topK: 40 });
  });

  it("is not taken for an M2 model", () => {
    expect(detectModelFamily({ architecture: "minimax-m2", name: "MiniMax-M3", chatTemplate: null }).id).toBe("minimax-m2");
  });
});
