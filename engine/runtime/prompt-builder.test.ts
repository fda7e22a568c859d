import { describe, expect, it } from "vitest";
import { GenerationRequestSchema } from "../../app/contract";
import type { ModelReport as GgufReport } from "../../node/gguf/report";
import { officialM2Template } from "./official-template";
import { PromptBuilder } from "./prompt-builder";
import { toContractReport } from "./report";

/** The header facts report.ts reads; tensors and sizes do not matter here. */
function gguf(facts: { architecture: string; name: string | null; chatTemplate: string | null; path?: string }): GgufReport {
  return {
    path: facts.path ?? "/models/model.gguf",
    architecture: facts.architecture,
    isTarget: facts.architecture === "minimax-m2",
    name: facts.name,
    quantization: { name: "Q4_K_M", fileType: 15, guessed: false },
    parameterCount: 1,
    tensorBytes: 1,
    fileSizeTotal: 1,
    parts: [{ path: facts.path ?? "/models/model.gguf", fileSize: 1, tensorCount: 1 }],
    layerCount: 1,
    contextLength: 4096,
    embeddingLength: 8,
    headCount: 1,
    headCountKv: 1,
    expertCount: null,
    expertUsedCount: null,
    vocabSize: 10,
    chatTemplate: facts.chatTemplate,
    hasChatTemplate: facts.chatTemplate !== null,
    tensors: [],
  };
}

const request = GenerationRequestSchema.parse({ messages: [{ role: "user", content: null }] });
const build = (facts: Parameters<typeof gguf>[0]) => {
  const report = toContractReport(gguf(facts));
  const logs: string[] = [];
  const builder = new PromptBuilder(report, facts.chatTemplate, (m) => logs.push(m));
  return { report, builder, logs, prompt: builder.build(request) };
};

describe("model family in the report and the prompt", () => {
  it("M2 with its official template: the TS renderer (Jinja2's None for null content) and M2's parser", () => {
    const { report, builder, prompt, logs } = build({ architecture: "minimax-m2", name: "MiniMax-M2", chatTemplate: officialM2Template() });
    expect(report).toMatchObject({ family: "minimax-m2", familyName: "MiniMax-M2", chatTemplate: "official", isM2: true });
    expect(builder.format).toBe("m2-renderer");
    expect(prompt).toBe("]~!b[]~b]system\nYou are a helpful assistant.[e~[\n]~b]user\nNone[e~[\n]~b]ai\n<think>\n");
    expect(builder.protocol?.generationPrefill).toBe("<think>\n");
    expect(logs).toEqual([]);
  });

  it("M2 with MiniMax's fixed template: recognised as a revision, rendered by the TS renderer with the file's identity and nothing for null content", () => {
    const fixed = officialM2Template()
      .replace('"You are a helpful assistant."', '"You are MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06."')
      .replace("    {%- else -%}\n        {{- content }}", "    {%- elif content is none -%}\n        {{- '' }}\n    {%- else -%}\n        {{- content }}");
    const { report, builder, prompt, logs } = build({ architecture: "minimax-m2", name: "MiniMax-M2", chatTemplate: fixed });
    expect(report).toMatchObject({ family: "minimax-m2", chatTemplate: "official" });
    expect(builder.format).toBe("m2-renderer");
    expect(prompt).toBe("]~!b[]~b]system\nYou are MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06.[e~[\n]~b]user\n[e~[\n]~b]ai\n<think>\n");
    expect(logs).toEqual([]);
  });

  it("M2.5 with its own template: reported as M2.5, rendered through the GGUF's template, parsed as M2", () => {
    const own = "{% for m in messages %}<{{ m.role }}>{% endfor %}{% if add_generation_prompt %}]~b]ai\n<think>\n{% endif %}";
    const { report, builder, prompt, logs } = build({ architecture: "minimax-m2", name: "MiniMax-M2.5", chatTemplate: own });
    expect(report).toMatchObject({ family: "minimax-m2.5", familyName: "MiniMax-M2.5", chatTemplate: "modified", isM2: true });
    expect(builder.format).toBe("embedded-template");
    expect(prompt).toBe("<user>]~b]ai\n<think>\n");
    expect(logs[0]).toContain("neither the official MiniMax-M2.5 template nor a known revision of it");
    const events = builder.protocol?.createParser().push("why\n</think>\n\nanswer");
    expect(events?.map((e) => e.type)).toEqual(["reasoning_delta", "content_delta"]);
  });

  it("M2.7 known by its file name, without a template: its TS renderer with the M2.7 default system prompt (and None for null content, as its template prints)", () => {
    const { report, builder, prompt } = build({ architecture: "minimax-m2", name: null, chatTemplate: null, path: "/m/MiniMax-M2.7-UD-Q2_K_XL-00001-of-00003.gguf" });
    expect(report).toMatchObject({ family: "minimax-m2.7", chatTemplate: "missing" });
    expect(builder.format).toBe("m2-renderer");
    expect(prompt).toBe(
      "]~!b[]~b]system\nYou are a helpful assistant. Your name is MiniMax-M2.7 and is built by MiniMax.[e~[\n]~b]user\nNone[e~[\n]~b]ai\n<think>\n",
    );
  });

  it("another architecture: unknown family, its own template, plain-text output", () => {
    const { report, builder, prompt } = build({ architecture: "llama", name: "Llama", chatTemplate: "{{ messages[0].role }}!" });
    expect(report).toMatchObject({ family: "unknown", familyName: "Unknown model", chatTemplate: "modified", isM2: false });
    expect(builder.protocol).toBeNull();
    expect(prompt).toBe("user!");
  });
});
